/**
 * Property-based tests (fast-check) of the HTTP API through the real hono
 * app and a copy of the bundled `local` plugin: random routes, methods,
 * headers, query strings, tokens and bodies never get a 500 of the kernel's
 * own (`core.fatal.unexpected_error`), never break the envelope, never stop
 * the kernel, and never carry a secret back. Oversized bodies are 413 and
 * malformed JSON 400, whatever else the request holds.
 *
 * The requests carry real tokens (kept alive by LiveTokens: a generated
 * logout must not leave the rest of the run anonymous), so they reach the
 * actions and the plugin, not only the checks in front of them; the test
 * also checks that they did. Runs are bounded (about 1,200 requests, a few
 * seconds). A failure prints fast-check's seed; the kernel's state depends
 * on every earlier request, so replay the whole run with FC_SEED=<seed>
 * (FC_PATH=<path> replays the counterexample alone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';
import { LiveTokens } from '../helpers/live-tokens.js';
import { BODY_METHODS, hostileHeaders, hostileRequest, malformedJson, queryString, routeAndMethod, sendThrough, type Ammunition, type HostileRequest } from '../helpers/hostile-requests.js';

const MAX_REQUEST_BYTES = 4096;
const PASSWORDS = { alice: 'alice has a long passphrase', bob: 'bob keeps another passphrase' };
/** 5xx ids docs/API.md documents for a client's own doing: a cookie and a token together (as Kuzzle). */
const DOCUMENTED_CLIENT_5XX = new Set(['security.token.verification_error']);
const ENVELOPE_KEYS = ['action', 'collection', 'controller', 'error', 'headers', 'index', 'node', 'requestId', 'result', 'status', 'volatile'];
const BCRYPT_HASH = /\$2[aby]\$\d\d\$/;
/** Errors raised before an action's handler runs: parsing, authentication, rights, routing. */
const BEFORE_HANDLER = new Set([
  'network.http.url_not_found', 'network.http.request_too_large', 'network.http.body_parse_failed', 'network.http.volatile_parse_failed', 'network.http.unsupported_content',
  'security.token.invalid', 'security.cookie.invalid', 'security.token.verification_error', 'security.rights.unauthorized', 'security.rights.forbidden',
  'api.process.controller_not_found', 'api.process.action_not_found', 'api.process.too_many_requests',
]);
/** Our tokens and keys, wherever they appear in a text. */
const TOKEN = /k(?:auth|apikey)-[\w-]+\.[\w-]+\.[\w-]+/g;
/** Actions whose answer carries a token they just made for the caller. */
const ISSUING = new Set(['auth:login', 'auth:refreshToken', 'auth:createToken', 'auth:createApiKey', 'security:createApiKey']);
/** Actions that keep what the client sent as data (users' content, keys' descriptions): a secret sent there comes back as the client's own. */
const STORING = new Set([
  'auth:updateSelf', 'security:createUser', 'security:createRestrictedUser', 'security:updateUser', 'security:replaceUser', 'security:upsertUser',
  'security:createFirstAdmin', 'auth:createApiKey', 'security:createApiKey',
]);

/** fast-check's parameters: bounded runs, and a failure's seed and path replayable from the environment. */
function runs<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env.FC_SEED;
  return { numRuns, ...(seed === undefined ? {} : { seed: Number(seed), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}), endOnFailure: true }) };
}

/** Every way a byte string might be written into an answer. */
const encodings = (bytes: Buffer) => [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];

describe('hostile clients: properties of every answer', () => {
  let k: ApiKernel;
  let ammo: Ammunition;
  let keeper: LiveTokens;
  /** Never in any answer or log line: kernel secret, plugin pepper, password hashes (and their salts and digests). */
  const neverShown = new Set<string>();
  /** The local plugin's namespace, read-only: hashes change as requests set passwords. */
  let namespace: Database.Database;
  /** Actions that answered 2xx, and those whose handler ran: proof the requests got past the front checks. */
  const served = new Set<string>();
  const handled = new Set<string>();
  /** Passwords and every token seen so far: in an answer only if the request itself carried it. */
  const confidential = new Set<string>(Object.values(PASSWORDS).concat(ADMIN_PASSWORD));
  /** Those a request stored as data, which may come back (see STORING). */
  const disclosed = new Set<string>();

  beforeAll(async () => {
    // Throttles and lockouts so high they never refuse (they have their own tests): locked accounts would keep logins from succeeding.
    k = await startApiKernel({ config: { maxRequestBytes: MAX_REQUEST_BYTES, loginAccountFailures: 1000 }, local: { config: { lockout: { maxFailures: 1000, windowMinutes: 1 } } } });
    const admin = await k.firstAdmin();
    await k.createUser(admin, 'alice', PASSWORDS.alice, 'alice');
    await k.createUser(admin, 'bob', PASSWORDS.bob, 'bob');
    confidential.add(admin);
    keeper = await LiveTokens.start(k, admin, (token) => confidential.add(token));
    const adminToken = await keeper.issue({ user: 'admin', profile: 'admin', kind: 'token' });
    // The admin's three times: only its requests get past the rights check of most actions.
    const tokens = [
      adminToken,
      adminToken,
      adminToken,
      await keeper.issue({ user: 'alice', profile: 'default', kind: 'token' }),
      await keeper.issue({ user: 'alice', profile: 'default', kind: 'apiKey' }),
      await keeper.issue({ user: 'bob', profile: 'default', kind: 'token' }),
      await keeper.issue({ user: 'bob', profile: 'default', kind: 'singleUse' }),
    ];

    const api = (await k.call('GET', '/_publicApi', { jwt: admin })).body.result as Record<string, Record<string, { http: Array<{ verb: string; url: string }> }>>;
    const routes = Object.values(api).flatMap((actions) => Object.values(actions).flatMap((action) => action.http));
    const actions = Object.fromEntries(Object.entries(api).map(([controller, byName]) => [controller, Object.keys(byName)]));
    expect(routes.length).toBeGreaterThan(80);
    ammo = { routes, actions, tokens, names: ['alice', 'bob', 'admin', 'local', '-1', 'nobody', 'default', 'anonymous'], passwords: [...Object.values(PASSWORDS), ADMIN_PASSWORD], accounts: [['alice', PASSWORDS.alice], ['bob', PASSWORDS.bob], ['admin', ADMIN_PASSWORD]], maxRequestBytes: MAX_REQUEST_BYTES };

    const kernelDb = new Database(join(k.dataDir, 'kernel.sqlite'), { readonly: true });
    const peppers = kernelDb.prepare('SELECT pepper FROM plugin_peppers').pluck().all() as Buffer[];
    kernelDb.close();
    expect(peppers).toHaveLength(1);
    const secretFile = readFileSync(join(k.dataDir, 'kernel.secret'), 'utf8').trim();
    for (const secret of [secretFile, ...encodings(k.kernel.secret.key), ...peppers.flatMap(encodings)]) neverShown.add(secret);
    namespace = new Database(join(k.dataDir, 'plugins', 'local.sqlite'), { readonly: true });
    // admin, alice, bob and the token keeper.
    expect(learnHashes()).toBe(4);
  });
  afterAll(async () => {
    namespace.close();
    await k.stop();
  });

  /** Adds every bcrypt hash now in the plugin's namespace (and its salt and digest) to neverShown; answers how many there are. */
  function learnHashes(): number {
    const tables = namespace.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const text = tables.map((table) => JSON.stringify(namespace.prepare(`SELECT * FROM "${table}"`).all())).join('\n');
    const hashes = new Set(text.match(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g) ?? []);
    for (const hash of hashes) for (const part of [hash, hash.slice(7, 29), hash.slice(29)]) neverShown.add(part);
    return hashes.size;
  }

  /** What must hold of any answer to any request. */
  function expectSound(request: HostileRequest, answer: Awaited<ReturnType<typeof sendThrough>>): void {
    const where = `${request.method} ${request.path.slice(0, 200)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
    const everything = `${answer.text}\n${JSON.stringify([...answer.headers])}`;
    for (const secret of neverShown) expect(everything.includes(secret), `a secret in the answer to ${where}`).toBe(false);
    expect(everything, where).not.toMatch(BCRYPT_HASH);
    const sent = `${request.path}\n${JSON.stringify(request.headers)}\n${typeof request.body === 'string' ? request.body : ''}`;
    for (const secret of confidential) {
      if (disclosed.has(secret) || sent.includes(secret) || sent.includes(encodeURIComponent(secret))) continue;
      const at = everything.indexOf(secret);
      expect(at, `another's password or token (${secret.slice(0, 12)}...) in ${where}: ...${everything.slice(at - 150, at + 20)}`).toBe(-1);
    }

    if (answer.text === '') {
      // Only a CORS preflight, or a HEAD (a GET without its body), answers without an envelope.
      expect(['OPTIONS', 'HEAD'], where).toContain(request.method);
      expect(answer.status, where).toBeLessThan(request.method === 'HEAD' ? 600 : 500);
      return;
    }
    expect(answer.headers.get('content-type'), where).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text) as Record<string, unknown> & { error: { id: string; code: number; message: string; status: number; props: unknown[] } | null };
    expect(Object.keys(body).sort(), where).toEqual(ENVELOPE_KEYS);
    expect(body.status, where).toBe(answer.status);
    expect(body.requestId, where).toEqual(expect.any(String));
    if (answer.status < 400) {
      expect(body.error, where).toBeNull();
    } else {
      expect(body.result, where).toBeNull();
      expect(body.error, where).toEqual({ id: expect.stringMatching(/^\w+\.\w+\.\w+$/), code: expect.any(Number), message: expect.any(String), status: answer.status, props: expect.any(Array) });
      expect(body.error!.id, where).not.toBe('core.fatal.unexpected_error');
      if (answer.status >= 500) expect(DOCUMENTED_CLIENT_5XX.has(body.error!.id), `a 500 of the kernel's own: ${where}`).toBe(true);
    }
    const action = `${String(body.controller)}:${String(body.action)}`;
    if (answer.status < 300) served.add(action);
    if (answer.status < 300 || !BEFORE_HANDLER.has(body.error!.id)) handled.add(action);
    // A token not seen before is one this answer made, for its caller: only issuing actions make them.
    for (const token of answer.text.match(TOKEN) ?? []) {
      if (confidential.has(token) || disclosed.has(token) || sent.includes(token)) continue;
      expect(ISSUING.has(action), `a token in ${where}`).toBe(true);
      confidential.add(token);
    }
    // What a client stored as data (a user's content, a key's description) is its own from then on: it may come back.
    if (answer.status < 300 && STORING.has(action) && typeof request.body === 'string') {
      for (const secret of confidential) if (request.body.includes(secret)) disclosed.add(secret);
      for (const token of request.body.match(TOKEN) ?? []) disclosed.add(token);
    }
  }

  it('any request: an envelope, no 500 of the kernel’s own, no secret, and the kernel serves on', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(ammo), async (generated) => {
        const request = keeper.substitute(generated);
        const answer = await sendThrough(k.kernel.app, request);
        learnHashes();
        expectSound(request, answer);
        if (request.method === 'HEAD' && answer.status >= 500) {
          // A HEAD answer has no body to tell its error id: the same request as a GET must be a documented 5xx.
          const get = { ...request, method: 'GET' };
          const full = await sendThrough(k.kernel.app, get);
          expect(full.status).toBe(answer.status);
          expectSound(get, full);
        }
        await keeper.refresh();
      }),
      runs(1000),
    );
    await expectStillServing();
    // Not a vacuous pass: the requests got past parsing, tokens and rights to most actions.
    expect(served.size).toBeGreaterThanOrEqual(20);
    expect(handled.size).toBeGreaterThanOrEqual(40);
    expect(served).toContain('auth:login');
  });

  it('a body over MAX_REQUEST_BYTES is 413 network.http.request_too_large, whatever the route, headers or token', { timeout: 60_000 }, async () => {
    const oversized = fc.tuple(routeAndMethod(ammo), fc.constantFrom(...BODY_METHODS), queryString(ammo), hostileHeaders(ammo), fc.integer({ min: MAX_REQUEST_BYTES + 1, max: 4 * MAX_REQUEST_BYTES }), fc.constantFrom('x', 'é', '{'));
    await fc.assert(
      fc.asyncProperty(oversized, async ([{ path }, method, query, headers, size, filler]) => {
        const body = `{"pad":"${filler.repeat(size)}"}`;
        const request = { method, path: path + query, headers, body };
        const answer = await sendThrough(k.kernel.app, request);
        expect(answer.status, `${method} ${path}`).toBe(413);
        expect(JSON.parse(answer.text).error.id).toBe('network.http.request_too_large');
        expectSound(request, answer);
      }),
      runs(60),
    );
  });

  it('malformed JSON, or JSON that is not an object, is 400 network.http.body_parse_failed on every route taking a body', { timeout: 60_000 }, async () => {
    const bodyRoutes = ammo.routes.filter((route) => route.verb !== 'get').concat({ verb: 'post', url: '/_query' });
    const onBodyRoutes = routeAndMethod({ ...ammo, routes: bodyRoutes }).filter((r) => r.known && r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS');
    // Any headers but a bad x-kuzzle-volatile (read first: its own 400) and another content type (its own 400).
    const headers = fc.tuple(hostileHeaders(ammo), fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON ;x=y')).map(([h, type]) => {
      const { 'x-kuzzle-volatile': _volatile, ...rest } = h;
      return { ...rest, 'content-type': type };
    });
    await fc.assert(
      fc.asyncProperty(onBodyRoutes, queryString(ammo), headers, malformedJson(ammo), async (route, query, h, body) => {
        const known = bodyRoutes.some((r) => r.verb.toUpperCase() === route.method && matches(r.url, route.path));
        fc.pre(known);
        const request = { method: route.method, path: route.path + query, headers: h, body };
        const answer = await sendThrough(k.kernel.app, request);
        expect([answer.status, JSON.parse(answer.text).error?.id], `${route.method} ${route.path} ${JSON.stringify(body.slice(0, 80))}`).toEqual([400, 'network.http.body_parse_failed']);
        expectSound(request, answer);
      }),
      runs(150),
    );
    await expectStillServing();
  });

  async function expectStillServing(): Promise<void> {
    expect((await k.call('GET', '/_now')).status).toBe(200);
    const health = await k.call('GET', '/_healthCheck');
    expect(health.body.result).toMatchObject({ status: 'green' });
    const logs = k.logs().join('\n');
    expect(logs).not.toContain('unexpected error while handling a request');
    for (const secret of neverShown) expect(logs.includes(secret)).toBe(false);
    expect(logs).not.toMatch(BCRYPT_HASH);
  }
});

/** Whether a concrete path (parameters filled in) is an instance of a route's path. */
function matches(url: string, path: string): boolean {
  const pattern = url.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // As the URL parser leaves it: `..` and `%2e%2e` segments removed.
  return new RegExp(`^${pattern.join('/')}$`).test(new URL(path, 'http://localhost').pathname);
}
