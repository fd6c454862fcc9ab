/**
 * The provider down, racing callbacks, expired attempts, and a bad config:
 * each a clear answer, the kernel and its other strategies unaffected.
 */
import { describe, expect, it } from 'vitest';
import { startPluginHarness } from '@portcullis/sdk-plugin/testing';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadPluginsConfig } from '../../../kernel/config/plugins-config.js';
import { parseConfig } from '../src/config.js';
import { atKernel, Browser, oauthLogin, oauthPerTest, startLogin, throughProvider, withSqlite } from './oauth-kernel.js';
import { CLIENT_SECRET } from './oidc-test-provider.js';

const startWith = oauthPerTest({ alice: { email: 'alice@example.com', email_verified: true, name: 'Alice' } });
/** Kernel and provider, `plugin` overriding the oauth plugin's settings. */
const start = (plugin: Record<string, unknown> = {}) => startWith({}, plugin);

describe('provider down', () => {
  it('a callback while the provider is down is a clear 503; local logins and the kernel go on', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const browser = new Browser();
    s.provider.nextAccount = 'alice';
    const callback = await throughProvider(s, browser, await startLogin(s, browser));
    await s.provider.stop();

    const answer = await atKernel(browser, callback);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({
      id: 'plugin.custom.service_unavailable',
      message: 'the identity provider of strategy "oauth-test" is unreachable: try again later',
    });

    expect((await s.k.call('POST', '/_login/local', { body: { username: 'admin', password: 'correct horse battery staple' } })).status).toBe(200);
    expect((await s.k.call('GET', '/_me', { jwt: admin })).status).toBe(200);
    const health = await s.k.call('GET', '/_healthCheck');
    expect(health.status).toBe(200);
    expect(s.k.logs().join('\n')).not.toContain(CLIENT_SECRET);
  });

  it('a provider down before any login: step 1 is a 503 and leaves no attempt behind', async () => {
    const s = await start();
    await s.provider.stop();
    const response = await new Browser().request(`${s.origin}/_login/oauth-test`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { id: string; message: string } };
    expect(body.error.id).toBe('plugin.custom.service_unavailable');
    expect(body.error.message).toMatch(/unreachable/);
    expect(withSqlite(s, (db) => db.prepare('SELECT count(*) FROM "c_login-attempts"').pluck().get())).toBe(0);
  });
});

describe('provider refusing our client', () => {
  it('invalid_client shown as 401: a wrong client secret is a 503 that names no secret, and a warning naming the provider', async () => {
    const wrongSecret = 'wrong-secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
    const setup = await startWith({ clientSecret: wrongSecret });
    const answer = await oauthLogin(setup, 'alice');
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({
      id: 'plugin.custom.service_unavailable',
      message: 'logins through strategy "oauth-test" are unavailable: the identity provider refused this server\'s client credentials (invalid_client), which an administrator must fix',
    });
    const lines = setup.k.logs().map((line) => JSON.parse(line) as { level: number; plugin?: string; msg: string });
    expect(lines).toContainEqual(expect.objectContaining({
      level: 40, // warn
      plugin: 'oauth',
      msg: `strategy "oauth-test": provider "test" (${setup.provider.issuer}) refused the plugin's client credentials (invalid_client): check its clientId and clientSecret in plugins.json`,
    }));
    expect(setup.k.logs().join('\n')).not.toContain(wrongSecret);
    expect(JSON.stringify(answer.body)).not.toContain(wrongSecret);
  });
});

describe('provider too slow', () => {
  it('a token endpoint that never answers is a 503 after httpTimeoutSeconds, not a stuck call', async () => {
    // Accepts connections and never answers.
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const token = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`;
    try {
      const setup = await startWith((issuer) => ({ endpoints: { authorization: `${issuer}/auth`, token, jwks: `${issuer}/jwks` } }), { httpTimeoutSeconds: 1 });
      const answer = await oauthLogin(setup, 'alice');
      expect(answer.status).toBe(503);
      expect(answer.body.error?.message).toBe('the identity provider of strategy "oauth-test" is unreachable: try again later');
    } finally {
      silent.close();
    }
  });

  it('requests each within httpTimeoutSeconds but together past it are a 503: one deadline per login step', async () => {
    const s = await start({ httpTimeoutSeconds: 1 });
    // Token endpoint and JWKS each answer 0.7 s late: each in time, both together not.
    s.forger.delayMs = 700;
    const answer = await oauthLogin(s, 'alice', { strategy: 'oauth-forge' });
    expect(answer.status).toBe(503);
    expect(answer.body.error?.message).toBe('the identity provider of strategy "oauth-forge" is unreachable: try again later');
  });
});

describe('attempts', () => {
  it('two callbacks racing with one state: exactly one logs in', async () => {
    const s = await start();
    const browser = new Browser();
    s.provider.nextAccount = 'alice';
    const callback = await throughProvider(s, browser, await startLogin(s, browser));
    const answers = await Promise.all([atKernel(new Browser(), callback), atKernel(new Browser(), callback), atKernel(new Browser(), callback)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401]);
  });

  it('an attempt past attemptTtlSeconds is a 401 that says it expired', async () => {
    // The shortest TTL the config allows is 30 s: the attempt's clock is moved instead, through the plugin's own storage.
    const s = await start();
    const browser = new Browser();
    s.provider.nextAccount = 'alice';
    const callback = await throughProvider(s, browser, await startLogin(s, browser));
    const changed = withSqlite(s, (db) => db.prepare(`UPDATE "c_login-attempts" SET body = json_set(body, '$.expiresAt', 1)`).run().changes);
    expect(changed).toBe(1);
    const answer = await atKernel(browser, callback);
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toBe('this login attempt expired: start the login again');
    expect((await atKernel(browser, callback)).body.error?.message).toMatch(/unknown or already used/);
  });

  it('live attempts are capped per client address and in all: past a cap, step 1 is a 429 until one is used', async () => {
    const s = await start({ maxAttemptsPerClient: 2, maxAttempts: 3 });
    const step1 = (browser = new Browser()) => browser.request(`${s.origin}/_login/oauth-test`);
    const browser = new Browser();
    const kept = await startLogin(s, browser);
    await startLogin(s, new Browser());
    const refused = await step1();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { id: string; message: string } }).error).toMatchObject({
      id: 'plugin.custom.too_many_requests',
      message: 'too many login attempts in progress from this address: finish or abandon one, or try again later',
    });
    expect(withSqlite(s, (db) => db.prepare('SELECT count(*) FROM "c_login-attempts"').pluck().get())).toBe(2);

    // A used attempt makes room again.
    s.provider.nextAccount = 'alice';
    expect((await atKernel(browser, await throughProvider(s, browser, kept))).status).toBe(200);
    expect((await step1()).status).toBe(302);

    // The total cap: set below the per-client one, so one address reaches it first.
    const t = await start({ maxAttemptsPerClient: 10, maxAttempts: 2 });
    await startLogin(t, new Browser());
    await startLogin(t, new Browser());
    const full = await new Browser().request(`${t.origin}/_login/oauth-test`);
    expect(full.status).toBe(429);
    expect(((await full.json()) as { error: { message: string } }).error.message).toBe('too many login attempts in progress: try again later');
  });

  it('an intent other than login, signup or link is a 400', async () => {
    const s = await start();
    const response = await new Browser().request(`${s.origin}/_login/oauth-test?intent=admin`);
    expect(response.status).toBe(400);
  });
});

describe('config', () => {
  it("the repository's plugins.json holds a disabled oauth entry whose example config is valid", () => {
    const shipped = loadPluginsConfig(fileURLToPath(new URL('../../../plugins.json', import.meta.url)));
    const entry = shipped.plugins.oauth;
    expect(entry?.enabled).toBe(false);
    const config = parseConfig(entry?.config ?? {}, entry?.callTimeoutMs ?? 0);
    expect(config.providers.map((provider) => provider.strategy)).toEqual(['oauth-example']);
    expect(entry?.allowedProfiles).toEqual(expect.arrayContaining(config.providers[0]?.defaultProfiles ?? ['missing']));
  });

  it('a bad config stops the plugin at boot naming the field, never the secret', async () => {
    const plugin = await startPluginHarness({
      dir: fileURLToPath(new URL('..', import.meta.url)),
      config: { providers: [{ name: 'x', issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: CLIENT_SECRET, callbackUrl: 'not a url' }] },
      allowBootFailure: true,
    });
    try {
      const failure = plugin.bootFailure();
      expect(failure?.message).toBe('Something went wrong during initialization of "oauth" plugin.');
      // The reason goes to the kernel log (init failed: ...), with the field and without the value.
      expect(plugin.logs().join('\n')).toMatch(/config\.providers\.0\.callbackUrl/);
      expect(JSON.stringify(failure)).not.toContain(CLIENT_SECRET);
      expect(plugin.logs().join('\n')).not.toContain(CLIENT_SECRET);
    } finally {
      await plugin.stop();
    }
  });

  it("an httpTimeoutSeconds the kernel's callTimeoutMs would cut short stops the plugin at boot, naming both", async () => {
    const boot = (httpTimeoutSeconds: number) =>
      startPluginHarness({
        dir: fileURLToPath(new URL('..', import.meta.url)),
        config: { allowInsecureHttp: true, httpTimeoutSeconds, providers: [{ name: 'x', issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', callbackUrl: 'http://127.0.0.1:2/cb' }] },
        settings: { callTimeoutMs: 5000 },
        allowBootFailure: true,
      });
    const refused = await boot(5);
    try {
      expect(refused.bootFailure()).toBeDefined();
      expect(refused.logs().join('\n')).toContain(
        "config.httpTimeoutSeconds (5 s) must end at least 1000 ms before the plugin's callTimeoutMs (5000 ms): lower it, or raise callTimeoutMs in plugins.json",
      );
    } finally {
      await refused.stop();
    }
    const accepted = await boot(4);
    try {
      expect(accepted.bootFailure()).toBeUndefined();
    } finally {
      await accepted.stop();
    }
  });

  it('http:// providers need allowInsecureHttp', async () => {
    const plugin = await startPluginHarness({
      dir: fileURLToPath(new URL('..', import.meta.url)),
      config: { providers: [{ name: 'x', issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', callbackUrl: 'https://app.example/cb' }] },
      allowBootFailure: true,
    });
    try {
      expect(plugin.bootFailure()).toBeDefined();
      expect(plugin.logs().join('\n')).toMatch(/an http:\/\/ URL needs allowInsecureHttp/);
    } finally {
      await plugin.stop();
    }
  });
});
