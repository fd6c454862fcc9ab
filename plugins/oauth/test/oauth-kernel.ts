/**
 * The oauth plugin's tests run everything real: a kernel listening on a
 * loopback port with the bundled local and oauth plugins in their isolates,
 * the test OpenID provider (oidc-provider), and a cookie-keeping HTTP
 * client that follows redirects by hand, as a browser would, from the
 * kernel to the provider's pages and back to the kernel's callback.
 */
import { createServer as createNetServer } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { startApiKernel, type ApiBody, type ApiKernel } from '../../../test/helpers/api-kernel.js';
import { CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, startTestProvider, type TestProvider } from './oidc-test-provider.js';

export interface OAuthSetup {
  k: ApiKernel;
  provider: TestProvider;
  /** `http://127.0.0.1:<port>`: the kernel's real address. */
  origin: string;
  /** What the token proxy of `oauth-forge` does to each ID token (null: untouched), and how late it and its JWKS answer. */
  forger: { rewrite: IdTokenRewrite | null; delayMs: number };
  /** Stops the kernel and starts another on the same data dir and port, `provider` overriding the settings of `oauth-test` again. */
  restart(provider: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** A free loopback port, so the provider can register the kernel's callback before the kernel starts. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Rewrites the ID token a token endpoint answered (a forger between the plugin and the provider). */
export type IdTokenRewrite = (idToken: string) => Promise<string>;

/**
 * Token endpoints in front of the provider's. `/token` swaps the client's
 * credentials for another client's: the code (issued to that other client)
 * is then really redeemed, and the provider signs an ID token whose audience
 * is not the plugin's client (a code and token substitution). `/forge`
 * forwards as is, then hands the ID token to `rewrite` (a forging proxy).
 * `/forge` and `/jwks` (the provider's keys) answer `delayMs` late.
 */
async function startTokenProxy(issuer: string, forger: OAuthSetup['forger']): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/jwks') {
      setTimeout(() => {
        fetch(`${issuer}/jwks`)
          .then(async (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()))
          .catch(() => res.writeHead(502).end());
      }, forger.delayMs);
      return;
    }
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const forging = req.url === '/forge';
      if (!forging) {
        form.set('client_id', OTHER_CLIENT_ID);
        form.set('client_secret', OTHER_CLIENT_SECRET);
      }
      fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })
        .then(async (answer) => {
          let text = await answer.text();
          if (forging && forger.rewrite !== null && answer.ok) {
            const tokens = JSON.parse(text) as { id_token?: string };
            if (typeof tokens.id_token === 'string') tokens.id_token = await forger.rewrite(tokens.id_token);
            text = JSON.stringify(tokens);
          }
          if (forging && forger.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, forger.delayMs));
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Starts provider and kernel. The plugin serves `oauth-test` (discovery),
 * `oauth-aud` (explicit endpoints, its token endpoint behind the audience
 * swap) and `oauth-forge` (explicit endpoints, its ID tokens rewritten by
 * `forger.rewrite`); `provider` overrides the settings of `oauth-test`.
 */
export async function startOAuth(
  provider: Record<string, unknown> | ((issuer: string) => Record<string, unknown>) = {},
  plugin: Record<string, unknown> = {},
): Promise<OAuthSetup> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const idp = await startTestProvider(['test', 'aud', 'forge'].map((name) => `${origin}/_login/oauth-${name}`));
  const forger: OAuthSetup['forger'] = { rewrite: null, delayMs: 0 };
  const swap = await startTokenProxy(idp.issuer, forger);
  const common = { issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };
  const configWith = (overrides: Record<string, unknown> | ((issuer: string) => Record<string, unknown>)) => ({
    allowInsecureHttp: true,
    providers: [
      { name: 'test', ...common, callbackUrl: `${origin}/_login/oauth-test`, ...(typeof overrides === 'function' ? overrides(idp.issuer) : overrides) },
      {
        name: 'aud', ...common, callbackUrl: `${origin}/_login/oauth-aud`,
        endpoints: { authorization: `${idp.issuer}/auth`, token: `${swap.origin}/token`, jwks: `${idp.issuer}/jwks` },
      },
      {
        name: 'forge', ...common, callbackUrl: `${origin}/_login/oauth-forge`,
        endpoints: { authorization: `${idp.issuer}/auth`, token: `${swap.origin}/forge`, jwks: `${swap.origin}/jwks` },
      },
    ],
    ...plugin,
  });
  const startKernel = async (overrides: Parameters<typeof configWith>[0], dataDir?: string) => {
    const k = await startApiKernel({
      bundled: ['oauth'],
      plugins: { oauth: { fixture: '', config: configWith(overrides), allowedProfiles: ['default'] } },
      // Many failed logins from one address on purpose: the kernel's throttle is tested elsewhere.
      config: { port, loginIpFailures: 0, loginAccountFailures: 0 },
      ...(dataDir === undefined ? {} : { dataDir }),
    });
    await k.kernel.listen();
    return k;
  };
  const setup: OAuthSetup = {
    k: await startKernel(provider),
    provider: idp,
    origin,
    forger,
    async restart(overrides) {
      await setup.k.stop();
      setup.k = await startKernel(overrides, setup.k.dataDir);
    },
    async stop() {
      await setup.k.stop();
      swap.server.closeAllConnections();
      swap.server.close();
      await idp.stop();
    },
  };
  return setup;
}

/**
 * A kernel and provider per test, stopped after it: `start` is startOAuth (stopping the
 * setup running, if any) with `accounts` registered at the provider.
 */
export function oauthPerTest(accounts: Record<string, Record<string, unknown>>) {
  let current: OAuthSetup | undefined;
  const stop = async () => {
    await current?.stop();
    current = undefined;
  };
  afterEach(stop);
  return async (...options: Parameters<typeof startOAuth>): Promise<OAuthSetup> => {
    await stop();
    current = await startOAuth(...options);
    for (const [name, claims] of Object.entries(accounts)) current.provider.accounts.set(name, claims);
    return current;
  };
}

/** Runs `use` on one of the kernel's real SQLite files: the plugin's namespace (`plugins/oauth.sqlite`) unless `file` says another. */
export function withSqlite<T>(s: OAuthSetup, use: (db: Database.Database) => T, file = join('plugins', 'oauth.sqlite')): T {
  const db = new Database(join(s.k.dataDir, file));
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** A browser: one cookie jar per host, redirects followed by hand. */
export class Browser {
  readonly #jars = new Map<string, Map<string, string>>();

  async request(url: string, init: { headers?: Record<string, string> } = {}): Promise<Response> {
    const jar = this.#jar(url);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: { ...init.headers, ...(cookie === '' ? {} : { cookie }) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=Thu, 01 Jan 1970/i.test(attribute));
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  }

  /** Follows redirects from `url` until one leads where `stop` says; that URL, not requested. */
  async followUntil(url: string, stop: (url: URL) => boolean): Promise<URL> {
    let current = new URL(url);
    for (let hop = 0; hop < 20; hop++) {
      if (stop(current)) return current;
      const response = await this.request(current.href);
      const body = await response.text();
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null) throw new Error(`stopped at ${current.pathname} with ${response.status}: ${body.slice(0, 300)}`);
      current = new URL(location, current);
    }
    throw new Error('too many redirects');
  }

  #jar(url: string): Map<string, string> {
    const host = new URL(url).host;
    let jar = this.#jars.get(host);
    if (jar === undefined) this.#jars.set(host, (jar = new Map()));
    return jar;
  }
}

export interface KernelAnswer {
  status: number;
  body: ApiBody;
  headers: Headers;
}

/** Step 1 at the kernel: answers the 302's Location (the provider's authorization URL). */
export async function startLogin(setup: OAuthSetup, browser: Browser, options: { strategy?: string; jwt?: string; query?: string } = {}): Promise<URL> {
  const strategy = options.strategy ?? 'oauth-test';
  const response = await browser.request(`${setup.origin}/_login/${strategy}${options.query ?? ''}`, {
    headers: options.jwt === undefined ? {} : { authorization: `Bearer ${options.jwt}` },
  });
  const body = await response.text();
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) throw new Error(`login step 1 answered ${response.status}: ${body}`);
  return new URL(location);
}

/** Through the provider's pages (login, consent) to the callback the provider sends the browser to; not requested. */
export function throughProvider(setup: OAuthSetup, browser: Browser, authorizationUrl: URL): Promise<URL> {
  return browser.followUntil(authorizationUrl.href, (url) => url.origin === setup.origin);
}

/** Requests a URL at the kernel (the callback): status and Kuzzle envelope. */
export async function atKernel(browser: Browser, url: URL | string, headers: Record<string, string> = {}): Promise<KernelAnswer> {
  const response = await browser.request(String(url), { headers });
  return { status: response.status, body: (await response.json()) as ApiBody, headers: response.headers };
}

/** A whole login as `account`: step 1, the provider, the callback. */
export async function oauthLogin(setup: OAuthSetup, account: string, options: { strategy?: string; query?: string; browser?: Browser } = {}): Promise<KernelAnswer> {
  const browser = options.browser ?? new Browser();
  setup.provider.nextAccount = account;
  const authorization = await startLogin(setup, browser, options);
  return atKernel(browser, await throughProvider(setup, browser, authorization));
}
