import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../kernel/security/user-store.js';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import { startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';
import { claimsOf, waitPast } from '../helpers/jwt.js';

describe('tokens through the API: checkToken, refreshToken, bad tokens', () => {
  let k: ApiKernel;
  let admin: string;
  let alice: string;
  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
    alice = await k.createUser(admin, 'alice');
  });
  afterAll(() => k.stop());

  const checkToken = async (token?: string | null) => {
    const response = await k.call('POST', '/_checkToken', token === undefined ? {} : { body: { token } });
    expect(response.status).toBe(200);
    return response.body.result as { valid: boolean; state?: string; kuid?: string; expiresAt?: number | null };
  };

  describe('checkToken', () => {
    it('without a token: valid, as anonymous', async () => {
      for (const token of [undefined, null, '']) expect(await checkToken(token)).toEqual({ valid: true, kuid: '-1', expiresAt: null });
    });

    it('a valid token: its user and expiry', async () => {
      const { body } = await k.call('POST', '/_login/local', { body: { username: 'alice', password: USER_PASSWORD } });
      expect(await checkToken(body.result.jwt)).toEqual({ valid: true, kuid: alice, expiresAt: body.result.expiresAt });
    });

    it('an expired token: {valid: false, state} saying it expired', async () => {
      const { body } = await k.call('POST', '/_login/local?expiresIn=1', { body: { username: 'alice', password: USER_PASSWORD } });
      await waitPast(body.result.expiresAt);
      const result = await checkToken(body.result.jwt);
      expect(result.valid).toBe(false);
      expect(result.state).toMatch(/expired/);
      // Signed with the kernel's own secret, but past its exp.
      const stale = jwt.sign({ ...claimsOf(body.result.jwt), exp: Math.floor(Date.now() / 1000) - 10 }, k.kernel.secret.key, { algorithm: 'HS256' });
      expect((await checkToken(`kauth-${stale}`)).state).toMatch(/expired/);
    });

    it('a revoked token: {valid: false, state} saying it was revoked', async () => {
      const token = await k.login('alice');
      await k.call('POST', '/_logout', { jwt: token });
      const result = await checkToken(token);
      expect(result.valid).toBe(false);
      expect(result.state).toMatch(/revoked/);
    });

    it('a token whose user row is gone (its token rows left, found at the next start): {valid: false}, and 401', async () => {
      // The user store caches users and sees only its own writes, so the row goes while no kernel runs.
      const other = await startApiKernel();
      const dataDir = other.dataDir;
      let token: string;
      try {
        await other.createUser(await other.firstAdmin(), 'carol', USER_PASSWORD, 'carol');
        token = await other.login('carol');
      } finally {
        await other.stop();
      }
      const db = openKernelDb(join(dataDir, 'kernel.sqlite'));
      try {
        expect(new UserStore(db).delete('carol')).toBe(true);
      } finally {
        db.close();
      }
      const restarted = await startApiKernel({ dataDir });
      try {
        const check = await restarted.call('POST', '/_checkToken', { body: { token } });
        expect(check.body.result).toEqual({ valid: false, state: expect.stringMatching(/revoked/) });
        const me = await restarted.call('GET', '/_me', { jwt: token });
        expect([me.status, me.body.error?.id]).toEqual([401, 'security.token.invalid']);
      } finally {
        await restarted.stop();
      }
    });
  });

  describe('a bad Authorization header', () => {
    const bad = { authorization: 'Bearer kauth-not.a.token' };

    it('is tolerated by login and checkToken (treated as anonymous)', async () => {
      const login = await k.call('POST', '/_login/local', { headers: bad, body: { username: 'alice', password: USER_PASSWORD } });
      expect(login.status).toBe(200);
      expect(login.body.result._id).toBe(alice);
      const check = await k.call('POST', '/_checkToken', { headers: bad, body: { token: login.body.result.jwt } });
      expect(check.body.result).toMatchObject({ valid: true, kuid: alice });
      const revoked = await k.login('alice');
      await k.call('POST', '/_logout', { jwt: revoked });
      // An expired or revoked token in the header must not lock a client out of logging in again.
      expect((await k.call('POST', '/_login/local', { jwt: revoked, body: { username: 'alice', password: USER_PASSWORD } })).status).toBe(200);
    });

    it('is 401 security.token.invalid on any other action, even one anonymous may call', async () => {
      for (const [method, path] of [['GET', '/_me'], ['GET', '/_now'], ['GET', '/strategies'], ['POST', '/_logout'], ['POST', '/_refreshToken']] as const) {
        const { status, body } = await k.call(method, path, { headers: bad });
        expect({ path, status, id: body.error?.id }).toEqual({ path, status: 401, id: 'security.token.invalid' });
      }
    });
  });

  describe('refreshToken', () => {
    it('answers a new token; the old one works for the 1 s grace, cannot be refreshed again, then stops', async () => {
      const old = await k.login('alice');
      const refreshed = await k.call('POST', '/_refreshToken?expiresIn=2h', { jwt: old });
      expect(refreshed.status).toBe(200);
      expect(Object.keys(refreshed.body.result).sort()).toEqual(['_id', 'expiresAt', 'jwt', 'ttl']);
      const { _id, jwt: fresh, ttl } = refreshed.body.result;
      expect([_id, ttl]).toEqual([alice, 7_200_000]);
      expect(fresh).not.toBe(old);
      expect((await k.call('GET', '/_me', { jwt: fresh })).body.result._id).toBe(alice);

      const inGrace = await checkToken(old);
      expect(inGrace).toMatchObject({ valid: true, kuid: alice });
      expect(inGrace.expiresAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect((await k.call('GET', '/_me', { jwt: old })).status).toBe(200);
      const again = await k.call('POST', '/_refreshToken', { jwt: old });
      expect([again.status, again.body.error?.id]).toEqual([401, 'security.token.refresh_forbidden']);

      await waitPast(inGrace.expiresAt!);
      const after = await k.call('GET', '/_me', { jwt: old });
      expect([after.status, after.body.error?.id]).toEqual([401, 'security.token.invalid']);
      expect((await k.call('GET', '/_me', { jwt: fresh })).status).toBe(200);
    });

    it('a refreshed token can itself be refreshed once', async () => {
      const first = (await k.call('POST', '/_refreshToken', { jwt: await k.login('alice') })).body.result.jwt as string;
      const second = await k.call('POST', '/_refreshToken', { jwt: first });
      expect(second.status).toBe(200);
      expect((await k.call('POST', '/_refreshToken', { jwt: first })).body.error?.id).toBe('security.token.refresh_forbidden');
    });

    it('bounds expiresIn like login', async () => {
      const token = await k.login('alice');
      const { status, body } = await k.call('POST', '/_refreshToken?expiresIn=2d', { jwt: token });
      expect([status, body.error?.id]).toEqual([400, 'security.token.ttl_exceeded']);
      // A refused request does not spend the token's one refresh.
      expect((await k.call('POST', '/_refreshToken', { jwt: token })).status).toBe(200);
    });

    it('as anonymous is 401 security.rights.unauthorized', async () => {
      const { status, body } = await k.call('POST', '/_refreshToken');
      expect([status, body.error?.id]).toEqual([401, 'security.rights.unauthorized']);
    });
  });
});
