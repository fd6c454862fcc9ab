/**
 * API keys through the real app: auth:createApiKey / searchApiKeys /
 * deleteApiKey on the caller's own keys, the security actions on any
 * user's, and how keys live: they authenticate like tokens, survive logout
 * (global included), cannot be refreshed, stop at once when deleted, and go
 * with their user. A key appears in exactly one answer, the one creating it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../kernel/tokens/api-key-store.js';
import { startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const HOUR = 3_600_000;

describe('API keys through the API', () => {
  let k: ApiKernel;
  let admin: string;
  /** Every key created here: none may appear in a log line or a later answer. */
  const issued: string[] = [];

  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
    for (const name of ['alice', 'bob', 'carol', 'dave']) await k.createUser(admin, name, undefined, name);
  });
  afterAll(() => k.stop());

  /** Creates a key for the caller of `jwt` and answers the whole result. */
  async function createKey(jwt: string, description: string, query = '') {
    const created = await k.call('POST', `/api-keys/_create${query}`, { jwt, body: { description } });
    expect(created.status, JSON.stringify(created.body.error)).toBe(200);
    issued.push(created.body.result._source.token);
    return created.body.result as { _id: string; _source: { userId: string; description: string; expiresAt: number; ttl: number; token: string } };
  }
  const me = (jwt: string) => k.call('GET', '/_me', { jwt });
  const searchOwn = (jwt: string, body?: unknown, query = '') => k.call('POST', `/api-keys/_search${query}`, { jwt, ...(body === undefined ? {} : { body }) });

  describe('auth: the caller’s own keys', () => {
    it('createApiKey answers {_id, _source: {userId, description, expiresAt, ttl, token}}; the key authenticates like a token', async () => {
      const alice = await k.login('alice');
      const created = await createKey(alice, 'Sigfox callback');
      expect(created).toEqual({ _id: expect.any(String), _source: { userId: 'alice', description: 'Sigfox callback', expiresAt: -1, ttl: -1, token: expect.stringMatching(/^kapikey-/) } });
      const viaKey = await me(created._source.token);
      expect(viaKey.status).toBe(200);
      expect(viaKey.body.result._id).toBe('alice');
      // checkToken reports a key that never expires as Kuzzle does.
      const checked = await k.call('POST', '/_checkToken', { body: { token: created._source.token } });
      expect(checked.body.result).toEqual({ valid: true, kuid: 'alice', expiresAt: -1 });
    });

    it('takes `_id` and `expiresIn`; refuses a missing body or description, an id starting with "_", a duplicate id and a bad expiresIn', async () => {
      const alice = await k.login('alice');
      const named = await createKey(alice, 'hourly', '?_id=hourly&expiresIn=1h&refresh=wait_for');
      expect(named._id).toBe('hourly');
      expect(named._source.ttl).toBe(HOUR);
      expect(named._source.expiresAt).toBeGreaterThan(Date.now() + HOUR - 5000);
      expect((await k.call('POST', '/_checkToken', { body: { token: named._source.token } })).body.result.expiresAt).toBe(named._source.expiresAt);
      const refused = {
        body: await k.call('POST', '/api-keys/_create', { jwt: alice }),
        description: await k.call('POST', '/api-keys/_create', { jwt: alice, body: {} }),
        type: await k.call('POST', '/api-keys/_create', { jwt: alice, body: { description: 42 } }),
        underscore: await k.call('POST', '/api-keys/_create?_id=_search', { jwt: alice, body: { description: 'x' } }),
        duplicate: await k.call('POST', '/api-keys/_create?_id=hourly', { jwt: alice, body: { description: 'x' } }),
        expiresIn: await k.call('POST', '/api-keys/_create?expiresIn=soon', { jwt: alice, body: { description: 'x' } }),
        negative: await k.call('POST', '/api-keys/_create?expiresIn=-2', { jwt: alice, body: { description: 'x' } }),
      };
      expect(Object.fromEntries(Object.entries(refused).map(([name, answer]) => [name, errorOf(answer)]))).toEqual({
        body: { status: 400, id: 'api.assert.body_required' },
        description: { status: 400, id: 'api.assert.missing_argument' },
        type: { status: 400, id: 'api.assert.invalid_argument' },
        underscore: { status: 400, id: 'api.assert.invalid_id' },
        duplicate: { status: 400, id: 'services.storage.document_already_exists' },
        expiresIn: { status: 400, id: 'api.assert.invalid_argument' },
        negative: { status: 400, id: 'api.assert.invalid_argument' },
      });
    });

    it('anonymous may not create, search or delete keys (401)', async () => {
      expect(errorOf(await k.call('POST', '/api-keys/_create', { body: { description: 'x' } }))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
      expect(errorOf(await k.call('POST', '/api-keys/_search'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
      expect(errorOf(await k.call('DELETE', '/api-keys/any'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    });

    it('searchApiKeys lists the caller’s keys only, never a key or a fingerprint; match/term on description', async () => {
      const bob = await k.login('bob');
      const bobs = [await createKey(bob, 'Deploy from CI'), await createKey(bob, 'Nightly backup')];
      await createKey(await k.login('carol'), 'Deploy from CI');
      const all = await searchOwn(bob);
      expect(all.status).toBe(200);
      expect(all.body.result).toEqual({ total: 2, hits: bobs.map(({ _id, _source: { token: _, ...source } }) => ({ _id, _source: source })) });
      const text = JSON.stringify(all.body);
      for (const { _source } of bobs) {
        expect(text).not.toContain(_source.token);
        expect(text).not.toContain(fingerprintOf(_source.token));
      }
      expect(text).not.toContain('fingerprint');
      const ids = async (body: unknown) => ((await searchOwn(bob, body)).body.result.hits as Array<{ _id: string }>).map((hit) => hit._id);
      expect(await ids({ match: { description: 'deploy' } })).toEqual([bobs[0]!._id]);
      expect(await ids({ term: { description: 'nightly' } })).toEqual([bobs[1]!._id]);
      expect(await ids({ match_all: {} })).toEqual(bobs.map((key) => key._id));
      expect(errorOf(await searchOwn(bob, { regexp: { description: '.*' } }))).toEqual({ status: 400, id: 'services.storage.invalid_query_keyword' });
      expect(errorOf(await searchOwn(bob, {}, '?size=1001'))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });

    it('deleteApiKey answers {_id}; the very next request with the key is 401 security.token.invalid', async () => {
      const dave = await k.login('dave');
      const key = await createKey(dave, 'short-lived');
      expect((await me(key._source.token)).status).toBe(200);
      const deleted = await k.call('DELETE', `/api-keys/${key._id}`, { jwt: dave });
      expect(deleted.body.result).toEqual({ _id: key._id });
      expect(errorOf(await me(key._source.token))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect(errorOf(await k.call('DELETE', `/api-keys/${key._id}`, { jwt: dave }))).toEqual({ status: 404, id: 'services.storage.not_found' });
    });

    it("another user's key id is 404 services.storage.not_found, and that key keeps working", async () => {
      const alicesKey = await createKey(await k.login('alice'), 'mine');
      const byBob = await k.call('DELETE', `/api-keys/${alicesKey._id}`, { jwt: await k.login('bob') });
      expect(errorOf(byBob)).toEqual({ status: 404, id: 'services.storage.not_found' });
      expect(byBob.body.error?.props[0]).toBe(alicesKey._id);
      expect((await me(alicesKey._source.token)).body.result._id).toBe('alice');
      // Deleting it with the key itself is the owner deleting it.
      expect((await k.call('DELETE', `/api-keys/${alicesKey._id}`, { jwt: alicesKey._source.token })).status).toBe(200);
      expect((await me(alicesKey._source.token)).status).toBe(401);
    });

    it('a user with more than 10 keys: all are listed, page by page, and all work', async () => {
      const jwt = await k.createUser(admin, 'erin', undefined, 'erin').then(() => k.login('erin'));
      const keys = [];
      for (let i = 0; i < 12; i++) keys.push(await createKey(jwt, `key ${i}`));
      const first = await searchOwn(jwt);
      expect(first.body.result.total).toBe(12);
      expect(first.body.result.hits).toHaveLength(10);
      const second = await searchOwn(jwt, {}, '?from=10&size=10');
      expect(second.body.result.hits).toHaveLength(2);
      const listed = [...first.body.result.hits, ...second.body.result.hits].map((hit: { _id: string }) => hit._id);
      expect(listed).toEqual(keys.map((key) => key._id));
      for (const key of keys) expect((await me(key._source.token)).body.result._id).toBe('erin');
    });

    it('keys survive logout, with a token or with the key itself, and logout?global, which revokes tokens only', async () => {
      const token = await k.login('carol');
      const key = await createKey(token, 'survivor');
      const withKey = await k.call('POST', '/_logout', { jwt: key._source.token });
      expect(withKey.body.result).toEqual({ acknowledged: true });
      expect((await me(key._source.token)).status).toBe(200);
      expect((await me(token)).status).toBe(200);
      expect((await k.call('POST', '/_logout', { jwt: token })).status).toBe(200);
      expect((await me(key._source.token)).status).toBe(200);
      const other = await k.login('carol');
      expect((await k.call('POST', '/_logout?global', { jwt: key._source.token })).status).toBe(200);
      expect(errorOf(await me(other))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect((await me(key._source.token)).body.result._id).toBe('carol');
      // And security:revokeTokens, an admin's global logout, keeps it too.
      expect((await k.call('DELETE', '/users/carol/tokens', { jwt: admin })).status).toBe(200);
      expect((await me(key._source.token)).status).toBe(200);
    });

    it('a password change made with a key ends the user’s sessions and keeps the key', async () => {
      await k.createUser(admin, 'gina', undefined, 'gina');
      const session = await k.login('gina');
      const key = await createKey(session, 'changes passwords');
      const changed = await k.call('PUT', '/_me/credentials/local/_update', { jwt: key._source.token, body: { password: 'a brand new long passphrase' } });
      expect(changed.status, JSON.stringify(changed.body.error)).toBe(200);
      expect(errorOf(await me(session))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect((await me(key._source.token)).body.result._id).toBe('gina');
    });

    it('a key cannot be refreshed: 401 security.token.refresh_forbidden, and it keeps working', async () => {
      const key = await createKey(await k.login('alice'), 'no refresh');
      expect(errorOf(await k.call('POST', '/_refreshToken', { jwt: key._source.token }))).toEqual({ status: 401, id: 'security.token.refresh_forbidden' });
      expect((await me(key._source.token)).status).toBe(200);
    });
  });

  describe('security: any user’s keys (admins)', () => {
    it('create, search and delete another user’s keys; the key works as that user', async () => {
      const created = await k.call('POST', '/users/dave/api-keys/_create?_id=ops&expiresIn=-1', { jwt: admin, body: { description: 'made by an admin' } });
      expect(created.body.result).toEqual({ _id: 'ops', _source: { userId: 'dave', description: 'made by an admin', expiresAt: -1, ttl: -1, token: expect.stringMatching(/^kapikey-/) } });
      const token = created.body.result._source.token as string;
      issued.push(token);
      expect((await me(token)).body.result._id).toBe('dave');
      const found = await k.call('POST', '/users/dave/api-keys/_search', { jwt: admin, body: { term: { _id: 'ops' } } });
      expect(found.body.result).toEqual({ total: 1, hits: [{ _id: 'ops', _source: { userId: 'dave', description: 'made by an admin', expiresAt: -1, ttl: -1 } }] });
      // Dave sees it among his own.
      expect((await searchOwn(token)).body.result.hits.map((hit: { _id: string }) => hit._id)).toContain('ops');
      // Scoped by user: the admin's own search does not list it, and deleting it as the admin's own is 404.
      expect(errorOf(await k.call('DELETE', '/api-keys/ops', { jwt: admin }))).toEqual({ status: 404, id: 'services.storage.not_found' });
      expect(errorOf(await k.call('DELETE', '/users/bob/api-keys/ops', { jwt: admin }))).toEqual({ status: 404, id: 'services.storage.not_found' });
      expect((await k.call('DELETE', '/users/dave/api-keys/ops', { jwt: admin })).body.result).toEqual({ _id: 'ops' });
      expect(errorOf(await me(token))).toEqual({ status: 401, id: 'security.token.invalid' });
    });

    it('an unknown user is 404 security.user.not_found, the anonymous user 400; a default user is 403', async () => {
      const unknown = [
        await k.call('POST', '/users/nobody/api-keys/_create', { jwt: admin, body: { description: 'x' } }),
        await k.call('POST', '/users/nobody/api-keys/_search', { jwt: admin }),
        await k.call('DELETE', '/users/nobody/api-keys/x', { jwt: admin }),
      ];
      for (const answer of unknown) expect(errorOf(answer)).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('POST', '/users/-1/api-keys/_create', { jwt: admin, body: { description: 'x' } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      const bob = await k.login('bob');
      expect(errorOf(await k.call('POST', '/users/alice/api-keys/_create', { jwt: bob, body: { description: 'x' } }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
      expect(errorOf(await k.call('POST', '/users/alice/api-keys/_search', { jwt: bob }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    });

    it('deleting a user deletes its keys: refused at once, and a new user with the same kuid inherits none', async () => {
      await k.createUser(admin, 'frank', undefined, 'frank');
      const key = await createKey(await k.login('frank'), 'goes with frank');
      expect((await me(key._source.token)).status).toBe(200);
      expect((await k.call('DELETE', '/users/frank', { jwt: admin })).status).toBe(200);
      expect(errorOf(await me(key._source.token))).toEqual({ status: 401, id: 'security.token.invalid' });
      await k.createUser(admin, 'frank2', undefined, 'frank');
      expect(errorOf(await me(key._source.token))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect((await k.call('POST', '/users/frank/api-keys/_search', { jwt: admin })).body.result).toEqual({ hits: [], total: 0 });
    });
  });

  it('no key and no fingerprint ever reached a log line', () => {
    expect(issued.length).toBeGreaterThan(15);
    const logs = k.logs().join('\n');
    expect(logs).toContain('security:createApiKey'); // the log was captured
    for (const token of issued) {
      expect(logs).not.toContain(token.slice('kapikey-'.length));
      expect(logs).not.toContain(fingerprintOf(token));
    }
  });
});

describe('API_KEY_MAX_TTL', () => {
  let k: ApiKernel;
  let alice: string;
  let admin: string;
  beforeAll(async () => {
    k = await startApiKernel({ config: { apiKeyMaxTtlMs: HOUR } });
    admin = await k.firstAdmin();
    await k.createUser(admin, 'alice', undefined, 'alice');
    alice = await k.login('alice');
  });
  afterAll(() => k.stop());

  it('bounds auth:createApiKey: never expiring (-1 or absent) and longer lifetimes are 400 security.token.ttl_exceeded', async () => {
    for (const query of ['', '?expiresIn=-1', '?expiresIn=2h', `?expiresIn=${HOUR + 1}`]) {
      expect(errorOf(await k.call('POST', `/api-keys/_create${query}`, { jwt: alice, body: { description: 'x' } }))).toEqual({ status: 400, id: 'security.token.ttl_exceeded' });
    }
    const within = await k.call('POST', '/api-keys/_create?expiresIn=30m', { jwt: alice, body: { description: 'x' } });
    expect(within.body.result._source.ttl).toBe(HOUR / 2);
    expect((await k.call('GET', '/_me', { jwt: within.body.result._source.token })).status).toBe(200);
  });

  it('does not bound security:createApiKey, as in Kuzzle: an admin may make a key that never expires', async () => {
    const created = await k.call('POST', '/users/alice/api-keys/_create', { jwt: admin, body: { description: 'by an admin' } });
    expect(created.body.result._source).toMatchObject({ expiresAt: -1, ttl: -1 });
  });
});
