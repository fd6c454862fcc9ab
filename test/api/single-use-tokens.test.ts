/**
 * auth:createToken through the real app: a token for the caller, which with
 * `singleUse` is valid for exactly one request, even when two requests
 * present it at once; `expiresIn: -1` is refused as Kuzzle refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const HOUR = 3_600_000;

describe('auth:createToken and single-use tokens', () => {
  let k: ApiKernel;
  let alice: string;

  beforeAll(async () => {
    k = await startApiKernel();
    const admin = await k.firstAdmin();
    await k.createUser(admin, 'alice', undefined, 'alice');
    alice = await k.login('alice');
  });
  afterAll(() => k.stop());

  const createToken = async (query = '', jwt = alice) => {
    const answer = await k.call('POST', `/_createToken${query}`, { jwt });
    expect(answer.status, JSON.stringify(answer.body.error)).toBe(200);
    return answer.body.result as { token: string; ttl: number; expiresAt: number; singleUse: boolean };
  };
  const me = (jwt: string) => k.call('GET', '/_me', { jwt });

  it('answers {token, ttl, expiresAt, singleUse}; without singleUse the token works like a login token', async () => {
    const before = Date.now();
    const result = await createToken();
    expect(result).toEqual({ token: expect.stringMatching(/^kauth-/), ttl: HOUR, expiresAt: expect.any(Number), singleUse: false });
    expect(result.expiresAt).toBeGreaterThanOrEqual(before + HOUR);
    for (let i = 0; i < 3; i++) expect((await me(result.token)).body.result._id).toBe('alice');
    expect((await createToken('?expiresIn=30m')).ttl).toBe(HOUR / 2);
  });

  it('a single-use token works for one request, then is 401 security.token.invalid', async () => {
    const { token, singleUse } = await createToken('?singleUse');
    expect(singleUse).toBe(true);
    expect((await me(token)).body.result._id).toBe('alice');
    expect(errorOf(await me(token))).toEqual({ status: 401, id: 'security.token.invalid' });
    // Also when its one request, let through, fails in its handler: it was used.
    const other = await createToken('?singleUse=true');
    expect(errorOf(await k.call('PUT', '/_me', { jwt: other.token, body: { _id: 'bob' } }))).toEqual({ status: 400, id: 'api.assert.forbidden_argument' });
    expect(errorOf(await me(other.token))).toEqual({ status: 401, id: 'security.token.invalid' });
  });

  it('two requests presenting one single-use token at once: exactly one passes', async () => {
    for (let round = 0; round < 5; round++) {
      const { token } = await createToken('?singleUse');
      const statuses = (await Promise.all([me(token), me(token), k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser', jwt: token } })])).map((answer) => answer.status);
      expect(statuses.sort()).toEqual([200, 401, 401]);
    }
  });

  it('checkToken looks without using it up', async () => {
    const { token, expiresAt } = await createToken('?singleUse');
    const check = () => k.call('POST', '/_checkToken', { body: { token } });
    expect((await check()).body.result).toEqual({ valid: true, kuid: 'alice', expiresAt });
    expect((await me(token)).status).toBe(200);
    expect((await check()).body.result).toMatchObject({ valid: false, state: expect.stringMatching(/revoked/) });
  });

  it('is not used up by a request refused for its rights, nor by checkToken in cookie mode or a login', async () => {
    const { token } = await createToken('?singleUse');
    expect(errorOf(await k.call('GET', '/users/alice', { jwt: token }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    const cookieCheck = await k.call('POST', '/_checkToken?cookieAuth', { headers: { cookie: `authToken=${token}` } });
    expect(cookieCheck.body.result).toMatchObject({ valid: true, kuid: 'alice' });
    expect((await me(token)).status).toBe(200);
    expect(errorOf(await me(token))).toEqual({ status: 401, id: 'security.token.invalid' });
  });

  it('is made through POST /_query too, with singleUse as a JSON boolean', async () => {
    const answer = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'createToken', singleUse: true, jwt: alice } });
    expect(answer.body.result.singleUse).toBe(true);
    expect((await me(answer.body.result.token)).status).toBe(200);
    expect((await me(answer.body.result.token)).status).toBe(401);
  });

  it('refuses expiresIn -1 with 400 security.token.invalid_expiration, and more than TOKEN_MAX_TTL with ttl_exceeded', async () => {
    for (const query of ['?expiresIn=-1', '?expiresIn=-1&singleUse']) {
      const refused = await k.call('POST', `/_createToken${query}`, { jwt: alice });
      expect(errorOf(refused)).toEqual({ status: 400, id: 'security.token.invalid_expiration' });
      expect(refused.body.error?.props).toEqual(['expiresIn', 'cannot be infinite']);
    }
    const viaQuery = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'createToken', expiresIn: -1, jwt: alice } });
    expect(errorOf(viaQuery)).toEqual({ status: 400, id: 'security.token.invalid_expiration' });
    expect(errorOf(await k.call('POST', '/_createToken?expiresIn=2d', { jwt: alice }))).toEqual({ status: 400, id: 'security.token.ttl_exceeded' });
    expect(errorOf(await k.call('POST', '/_createToken?expiresIn=-5', { jwt: alice }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
  });

  it('anonymous gets 401 security.rights.unauthorized', async () => {
    expect(errorOf(await k.call('POST', '/_createToken'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    expect(errorOf(await k.call('POST', '/_createToken?singleUse'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
  });

  it('an API key may make tokens for its user; refreshing a single-use token is refused (it would turn one request into a session)', async () => {
    const key = await k.call('POST', '/api-keys/_create', { jwt: alice, body: { description: 'token maker' } });
    const { token } = await createToken('?singleUse', key.body.result._source.token);
    expect(errorOf(await k.call('POST', '/_refreshToken', { jwt: token }))).toEqual({ status: 401, id: 'security.token.refresh_forbidden' });
    expect(errorOf(await me(token))).toEqual({ status: 401, id: 'security.token.invalid' });
  });
});
