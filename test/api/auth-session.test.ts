import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

const HOUR = 3_600_000;

describe('auth session actions', () => {
  let k: ApiKernel;
  let admin: string;
  let alice: string;
  beforeAll(async () => {
    k = await startApiKernel({ plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } } } });
    admin = await k.firstAdmin();
    alice = await k.createUser(admin, 'alice');
  });
  afterAll(() => k.stop());

  const loginBody = (username: string, password = USER_PASSWORD) => ({ body: { username, password } });

  describe('login', () => {
    it('answers {_id, jwt, expiresAt, ttl}: a kauth- HS256 JWT signed with the kernel secret, payload {_id, jti, iat, exp}', async () => {
      const before = Date.now();
      const { status, body } = await k.call('POST', '/_login/local', loginBody('alice'));
      expect(status).toBe(200);
      expect(Object.keys(body.result).sort()).toEqual(['_id', 'expiresAt', 'jwt', 'ttl']);
      const { _id, jwt: token, expiresAt, ttl } = body.result;
      expect(_id).toBe(alice);
      expect(ttl).toBe(HOUR);
      expect(token).toMatch(/^kauth-[\w-]+\.[\w-]+\.[\w-]+$/);
      const decoded = jwt.verify(token.slice('kauth-'.length), k.kernel.secret.key, { algorithms: ['HS256'], complete: true });
      expect(decoded.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const payload = decoded.payload as Record<string, unknown>;
      expect(Object.keys(payload).sort()).toEqual(['_id', 'exp', 'iat', 'jti']);
      expect(payload._id).toBe(alice);
      expect(expiresAt).toBe((payload.exp as number) * 1000);
      expect(expiresAt).toBeGreaterThanOrEqual(before + HOUR);
      expect((await k.call('GET', '/_me', { jwt: token })).body.result._id).toBe(alice);
    });

    it('answers a wrong password and an unknown user with the same 401 plugin.strategy.missing_user', async () => {
      const wrong = await k.call('POST', '/_login/local', loginBody('alice', 'not the passphrase at all'));
      const unknown = await k.call('POST', '/_login/local', loginBody('nobody-by-that-name'));
      expect(wrong.status).toBe(401);
      expect(wrong.body.error?.id).toBe('plugin.strategy.missing_user');
      expect(unknown.status).toBe(401);
      expect({ ...unknown.body, requestId: null }).toEqual({ ...wrong.body, requestId: null });
      expect(JSON.stringify(wrong.body)).not.toContain('not the passphrase');
    });

    it('answers an unknown strategy with 400 security.credentials.unknown_strategy', async () => {
      const { status, body } = await k.call('POST', '/_login/nope', loginBody('alice'));
      expect(status).toBe(400);
      expect(body.error?.id).toBe('security.credentials.unknown_strategy');
    });

    it('works with GET and the fields in the query string', async () => {
      const query = new URLSearchParams({ username: 'alice', password: USER_PASSWORD });
      const { status, body } = await k.call('GET', `/_login/local?${query}`);
      expect(status).toBe(200);
      expect(body.result._id).toBe(alice);
      expect((await k.call('GET', '/_me', { jwt: body.result.jwt })).body.result._id).toBe(alice);
      // The password travelled in the URL: it must not reach a log line, nor the token.
      const logs = k.logs().join('\n');
      expect(logs).not.toContain(USER_PASSWORD);
      expect(logs).not.toContain(body.result.jwt.slice('kauth-'.length));
    });

    it('honours expiresIn (ms or a timespan) up to TOKEN_MAX_TTL (1 day by default)', async () => {
      for (const [expiresIn, ttl] of [['2m', 120_000], ['90000', 90_000], ['1d', 86_400_000]] as const) {
        const before = Date.now();
        const { body } = await k.call('POST', `/_login/local?expiresIn=${expiresIn}`, loginBody('alice'));
        expect(body.result.ttl).toBe(ttl);
        expect(body.result.expiresAt).toBeGreaterThanOrEqual(before + ttl);
        expect(body.result.expiresAt).toBeLessThanOrEqual(Date.now() + ttl + 1000);
      }
      const tooLong = await k.call('POST', '/_login/local?expiresIn=25h', loginBody('alice'));
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error?.id).toBe('security.token.ttl_exceeded');
      for (const bad of ['-1', '0', 'soon']) {
        const invalid = await k.call('POST', `/_login/local?expiresIn=${bad}`, loginBody('alice'));
        expect(invalid.status).toBe(400);
        expect(invalid.body.error?.id).toBe('api.assert.invalid_argument');
      }
    });
  });

  describe('logout', () => {
    const isValid = async (token: string) => (await k.call('GET', '/_me', { jwt: token })).status === 200;

    it("revokes the caller's token only", async () => {
      const first = await k.login('alice');
      const second = await k.login('alice');
      const { status, body } = await k.call('POST', '/_logout', { jwt: first });
      expect(status).toBe(200);
      expect(body.result).toEqual({ acknowledged: true });
      const after = await k.call('GET', '/_me', { jwt: first });
      expect(after.status).toBe(401);
      expect(after.body.error?.id).toBe('security.token.invalid');
      expect(await isValid(second)).toBe(true);
    });

    it("with ?global ends every token of the user, and no one else's", async () => {
      const first = await k.login('alice');
      const second = await k.login('alice');
      const adminToken = await k.login('admin', ADMIN_PASSWORD);
      expect((await k.call('POST', '/_logout?global', { jwt: first })).body.result).toEqual({ acknowledged: true });
      expect(await isValid(first)).toBe(false);
      expect(await isValid(second)).toBe(false);
      expect(await isValid(adminToken)).toBe(true);
    });

    it('as anonymous is 401 security.rights.unauthorized', async () => {
      const { status, body } = await k.call('POST', '/_logout');
      expect(status).toBe(401);
      expect(body.error?.id).toBe('security.rights.unauthorized');
    });
  });

  describe('getCurrentUser', () => {
    it('as anonymous: the anonymous user, no strategies', async () => {
      const { status, body } = await k.call('GET', '/_me');
      expect(status).toBe(200);
      expect(body.result).toEqual({ _id: '-1', _source: { profileIds: ['anonymous'] }, strategies: [] });
    });

    it('as a user: its content and the strategies it has credentials in, asked of each plugin', async () => {
      const token = await k.login('alice');
      expect((await k.call('GET', '/_me', { jwt: token })).body.result).toEqual({ _id: alice, _source: { profileIds: ['default'] }, strategies: ['local'] });
      const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'bob', password: USER_PASSWORD }, second: { login: 'bob', secret: 's3cret' } } };
      expect((await k.call('POST', '/users/bob/_create', { body, jwt: admin })).status).toBe(200);
      const bob = await k.login('bob');
      const me = await k.call('GET', '/users/_me', { jwt: bob });
      expect(me.body.result._id).toBe('bob');
      expect([...me.body.result.strategies].sort()).toEqual(['local', 'second']);
    });
  });

  describe('updateSelf', () => {
    it("merges the body into the caller's content and keeps its profiles", async () => {
      const token = await k.login('alice');
      const first = await k.call('PUT', '/_me', { jwt: token, body: { name: 'Alice', address: { city: 'Paris', zip: '75001' }, tags: ['a', 'b'] } });
      expect(first.status).toBe(200);
      const second = await k.call('PUT', '/_updateSelf', { jwt: token, body: { address: { city: 'Lyon' }, tags: ['c'] } });
      const expected = { profileIds: ['default'], name: 'Alice', address: { city: 'Lyon', zip: '75001' }, tags: ['c'] };
      expect(second.body.result).toEqual({ _id: alice, _source: expected });
      expect((await k.call('GET', '/_me', { jwt: token })).body.result._source).toEqual(expected);
    });

    it('refuses _id and profileIds with 400 api.assert.forbidden_argument, and changes nothing', async () => {
      const token = await k.login('alice');
      const before = (await k.call('GET', '/_me', { jwt: token })).body.result._source;
      for (const body of [{ _id: 'someone-else' }, { profileIds: ['admin'] }, { name: 'x', profileIds: ['admin'] }]) {
        const { status, body: answer } = await k.call('PUT', '/_me', { jwt: token, body });
        expect(status).toBe(400);
        expect(answer.error?.id).toBe('api.assert.forbidden_argument');
      }
      expect((await k.call('GET', '/_me', { jwt: token })).body.result._source).toEqual(before);
    });

    it('cannot reach profileIds through __proto__', async () => {
      await k.createUser(admin, 'proto-bob');
      const token = await k.login('proto-bob');
      const { status } = await k.call('PUT', '/_me', { jwt: token, body: '{"__proto__": {"profileIds": ["admin"]}, "note": "x"}' });
      expect(status).toBe(200);
      const me = (await k.call('GET', '/_me', { jwt: token })).body.result._source;
      expect(me.profileIds).toEqual(['default']);
      // No `__proto__` key stored, and (the kernel runs in this process) none merged into every object.
      expect(Object.keys(me).sort()).toEqual(['note', 'profileIds']);
      expect(Object.prototype).not.toHaveProperty('profileIds');
      expect((await k.call('GET', '/_serverInfo', { jwt: token })).status).toBe(403);
    });

    it('needs a body (400 api.assert.body_required) and a user (anonymous: 401)', async () => {
      const token = await k.login('alice');
      expect((await k.call('PUT', '/_me', { jwt: token })).body.error?.id).toBe('api.assert.body_required');
      const anonymous = await k.call('PUT', '/_me', { body: { name: 'x' } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error?.id).toBe('security.rights.unauthorized');
    });
  });

  it('getStrategies lists the strategies of every plugin, for anyone', async () => {
    const { status, body } = await k.call('GET', '/strategies');
    expect(status).toBe(200);
    expect([...body.result].sort()).toEqual(['local', 'second']);
  });

  describe('server', () => {
    it('now, healthCheck and publicApi answer anonymous callers', async () => {
      const before = Date.now();
      const now = await k.call('GET', '/_now');
      expect(now.status).toBe(200);
      expect(now.body.result.now).toBeGreaterThanOrEqual(before);
      const health = await k.call('GET', '/_healthCheck');
      expect(health.status).toBe(200);
      expect(health.body.result.status).toBe('green');
      const api = await k.call('GET', '/_publicApi');
      expect(api.status).toBe(200);
      expect(api.body.result.auth.login.http).toContainEqual({ verb: 'POST', url: '/_login/:strategy' });
    });

    it('serverInfo: 401 for anonymous, 403 for a default user, 200 for an admin', async () => {
      const anonymous = await k.call('GET', '/_serverInfo');
      expect([anonymous.status, anonymous.body.error?.id]).toEqual([401, 'security.rights.unauthorized']);
      const user = await k.call('GET', '/_serverInfo', { jwt: await k.login('alice') });
      expect([user.status, user.body.error?.id]).toEqual([403, 'security.rights.forbidden']);
      const byAdmin = await k.call('GET', '/_serverInfo', { jwt: admin });
      expect(byAdmin.status).toBe(200);
      expect([...byAdmin.body.result.serverInfo.portcullis.strategies].sort()).toEqual(['local', 'second']);
    });
  });
});
