import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeEach, describe, expect, it } from 'vitest';
import { AUTH_TOKEN_PREFIX, REFRESH_GRACE_MS, type TokenStore } from '../../kernel/tokens/token-store.js';
import { b64, claimsOf, decodePart, partsOf, waitPast } from '../helpers/jwt.js';
import { thrown } from '../helpers/thrown.js';
import { useTokenStore } from '../helpers/token-store.js';

const HOUR = 3_600_000;
const secret = randomBytes(32);

function expectInvalid(store: TokenStore, token: string, reason: RegExp): void {
  const error = thrown(() => store.verify(token));
  expect(error.id).toBe('security.token.invalid');
  expect(error.status).toBe(401);
  expect(error.message).toMatch(reason);
}

describe('TokenStore', () => {
  const kernel = useTokenStore(secret);
  const { restart } = kernel;

  it('issues a kauth- HS256 JWT whose payload is exactly {_id, jti, iat, exp}, and verifies it', () => {
    const before = Date.now();
    const issued = kernel.store.issue('alice', HOUR);
    expect(issued.jwt.startsWith(AUTH_TOKEN_PREFIX)).toBe(true);
    const [header, payload] = partsOf(issued.jwt).slice(0, 2).map(decodePart);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload!).sort()).toEqual(['_id', 'exp', 'iat', 'jti']);
    expect(payload).toMatchObject({ _id: 'alice', jti: issued.jti });
    // expiresAt is the JWT's exp (whole seconds), at least ttl from now.
    expect(issued.expiresAt).toBe((payload!.exp as number) * 1000);
    expect(issued.expiresAt).toBeGreaterThanOrEqual(before + HOUR);
    expect(issued.ttl).toBe(HOUR);
    expect(kernel.store.verify(issued.jwt)).toEqual({ kind: 'token', jti: issued.jti, kuid: 'alice', expiresAt: issued.expiresAt, refreshed: false });
  });

  it('gives every token its own jti', () => {
    expect(kernel.store.issue('alice', HOUR).jti).not.toBe(kernel.store.issue('alice', HOUR).jti);
  });

  it('keeps tokens across a restart', () => {
    const issued = kernel.store.issue('alice', HOUR);
    expect(restart().verify(issued.jwt)).toEqual({ kind: 'token', jti: issued.jti, kuid: 'alice', expiresAt: issued.expiresAt, refreshed: false });
  });

  it('refuses an expired token, saying it expired, whether it is in memory or only in the database', async () => {
    const issued = kernel.store.issue('alice', 1);
    await waitPast(issued.expiresAt);
    expectInvalid(kernel.store, issued.jwt, /expired/);
    expectInvalid(restart(), issued.jwt, /expired/);
  });

  it("goes by the row's expiry when it is earlier than the JWT's exp", () => {
    const issued = kernel.store.issue('alice', HOUR);
    kernel.db.prepare('UPDATE tokens SET expires_at = ? WHERE jti = ?').run(Date.now() - 1, issued.jti);
    expectInvalid(restart(), issued.jwt, /expired/);
  });

  describe('revocation takes effect at once', () => {
    it('revoke: for a token in memory, for one only in the database, and across a restart', () => {
      const cached = kernel.store.issue('alice', HOUR);
      kernel.store.revoke(cached.jti);
      expectInvalid(kernel.store, cached.jwt, /revoked/);

      const stored = kernel.store.issue('alice', HOUR);
      const afterRestart = restart();
      afterRestart.revoke(stored.jti);
      expectInvalid(afterRestart, stored.jwt, /revoked/);
      expectInvalid(restart(), stored.jwt, /revoked/);
      expectInvalid(restart(), cached.jwt, /revoked/);
    });

    it("revokeUser ends every token of that user and no one else's", () => {
      const a1 = kernel.store.issue('alice', HOUR);
      const a2 = kernel.store.issue('alice', HOUR);
      const bob = kernel.store.issue('bob', HOUR);
      expect(kernel.store.revokeUser('alice')).toBe(2);
      expectInvalid(kernel.store, a1.jwt, /revoked/);
      expectInvalid(kernel.store, a2.jwt, /revoked/);
      expect(kernel.store.verify(bob.jwt).kuid).toBe('bob');
      expect(restart().verify(bob.jwt).kuid).toBe('bob');
    });

    it('revokeUser with keep spares that one token', () => {
      const kept = kernel.store.issue('alice', HOUR);
      const other = kernel.store.issue('alice', HOUR);
      expect(kernel.store.revokeUser('alice', kept.jti)).toBe(1);
      expect(kernel.store.verify(kept.jwt).jti).toBe(kept.jti);
      expectInvalid(kernel.store, other.jwt, /revoked/);
    });

    it('revokeUser after a restart reaches tokens the new store never saw, and they stay revoked', () => {
      const a1 = kernel.store.issue('alice', HOUR);
      const a2 = kernel.store.issue('alice', HOUR);
      const afterRestart = restart();
      expect(afterRestart.revokeUser('alice', a2.jti)).toBe(1);
      expectInvalid(afterRestart, a1.jwt, /revoked/);
      expect(afterRestart.verify(a2.jwt).kuid).toBe('alice');
      expectInvalid(restart(), a1.jwt, /revoked/);
    });

    it('revokeUser deletes every row of the user, in memory and on disk', () => {
      const cached = kernel.store.issue('alice', HOUR);
      kernel.store.issue('alice', HOUR);
      expect(kernel.store.revokeUser('alice')).toBe(2);
      expectInvalid(kernel.store, cached.jwt, /revoked/);
      expect(kernel.db.prepare('SELECT COUNT(*) FROM tokens').pluck().get()).toBe(0);
    });
  });

  describe('refuses tokens it did not issue', () => {
    /** A real token's claims: only the signature or header can make these fail. */
    let claims: { _id: string; jti: string; iat: number; exp: number };
    let genuine: string;
    beforeEach(() => {
      genuine = kernel.store.issue('alice', HOUR).jwt;
      claims = claimsOf(genuine) as typeof claims;
    });

    it('a tampered payload (another _id, same signature)', () => {
      const [header, , signature] = partsOf(genuine);
      expectInvalid(kernel.store, `${AUTH_TOKEN_PREFIX}${header}.${b64({ ...claims, _id: 'admin' })}.${signature}`, /not a token/);
      expectInvalid(kernel.store, `${AUTH_TOKEN_PREFIX}${header}.${b64({ ...claims, exp: claims.exp + 3600 })}.${signature}`, /not a token/);
    });

    it('alg: none', () => {
      expectInvalid(kernel.store, `${AUTH_TOKEN_PREFIX}${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /not a token/);
      expectInvalid(kernel.store, AUTH_TOKEN_PREFIX + jwt.sign(claims, null, { algorithm: 'none' }), /not a token/);
    });

    it('HS256 with another secret', () => {
      expectInvalid(kernel.store, AUTH_TOKEN_PREFIX + jwt.sign(claims, randomBytes(32), { algorithm: 'HS256' }), /not a token/);
    });

    it('other algorithms: RS256, and an HMAC under our secret whose header says RS256 or HS512', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expectInvalid(kernel.store, AUTH_TOKEN_PREFIX + jwt.sign(claims, privateKey, { algorithm: 'RS256' }), /not a token/);
      // Algorithm confusion: the right key, but the header names another algorithm.
      const [, payload, signature] = partsOf(genuine);
      expectInvalid(kernel.store, `${AUTH_TOKEN_PREFIX}${b64({ alg: 'RS256', typ: 'JWT' })}.${payload}.${signature}`, /not a token/);
      expectInvalid(kernel.store, AUTH_TOKEN_PREFIX + jwt.sign(claims, secret, { algorithm: 'HS512' }), /not a token/);
    });

    it('a signed token without exp, jti or _id', () => {
      const { exp, jti, _id, iat } = claims;
      const sign = (payload: object) => AUTH_TOKEN_PREFIX + jwt.sign(payload, secret, { algorithm: 'HS256', noTimestamp: true });
      expectInvalid(kernel.store, sign({ _id, jti, iat }), /not a token/);
      expectInvalid(kernel.store, sign({ _id, iat, exp }), /not a token/);
      expectInvalid(kernel.store, sign({ jti, iat, exp }), /not a token/);
    });

    it('a token whose jti names another user’s row', () => {
      const bobs = kernel.store.issue('bob', HOUR);
      const forged = AUTH_TOKEN_PREFIX + jwt.sign({ ...claims, jti: bobs.jti }, secret, { algorithm: 'HS256' });
      expectInvalid(kernel.store, forged, /revoked/);
    });

    it('garbage, very long strings, and tokens without the kauth- prefix', () => {
      const unprefixed = genuine.slice(AUTH_TOKEN_PREFIX.length);
      const samples = ['', 'kauth-', 'kauth-abc', 'kauth-a.b.c', 'kauth-..', 'null', `Bearer ${genuine}`, unprefixed, `kapikey-${unprefixed}`, `${genuine} `, `${genuine}.x`, 'x'.repeat(1_000_000), genuine + 'A'.repeat(5000)];
      for (const sample of samples) expectInvalid(kernel.store, sample, /not a token/);
    });
  });

  describe('refresh', () => {
    it('can happen once: a second markRefreshed is security.token.refresh_forbidden, also after a restart', () => {
      const issued = kernel.store.issue('alice', HOUR);
      kernel.store.markRefreshed(kernel.store.verify(issued.jwt));
      const again = thrown(() => kernel.store.markRefreshed(kernel.store.verify(issued.jwt)));
      expect(again.id).toBe('security.token.refresh_forbidden');
      expect(again.status).toBe(401);
      const afterRestart = restart();
      expect(afterRestart.verify(issued.jwt).refreshed).toBe(true);
      expect(thrown(() => afterRestart.markRefreshed(afterRestart.verify(issued.jwt))).id).toBe('security.token.refresh_forbidden');
    });

    it(`leaves the old token working for the ${REFRESH_GRACE_MS} ms grace, then not, in memory and after a restart`, async () => {
      const issued = kernel.store.issue('alice', HOUR);
      const before = Date.now();
      kernel.store.markRefreshed(kernel.store.verify(issued.jwt));
      const inGrace = kernel.store.verify(issued.jwt);
      expect(inGrace.refreshed).toBe(true);
      expect(inGrace.expiresAt).toBeGreaterThanOrEqual(before + REFRESH_GRACE_MS);
      expect(inGrace.expiresAt).toBeLessThanOrEqual(Date.now() + REFRESH_GRACE_MS);
      expect(restart().verify(issued.jwt).expiresAt).toBe(inGrace.expiresAt);
      await waitPast(inGrace.expiresAt);
      expectInvalid(kernel.store, issued.jwt, /expired/);
      expectInvalid(restart(), issued.jwt, /expired/);
    });

    it('never extends a token that expires within the grace', () => {
      const issued = kernel.store.issue('alice', HOUR);
      const soon = Date.now() + REFRESH_GRACE_MS / 2;
      kernel.db.prepare('UPDATE tokens SET expires_at = ? WHERE jti = ?').run(soon, issued.jti);
      const afterRestart = restart();
      afterRestart.markRefreshed(afterRestart.verify(issued.jwt));
      expect(afterRestart.verify(issued.jwt).expiresAt).toBe(soon);
      expect(restart().verify(issued.jwt).expiresAt).toBe(soon);
    });
  });

  it('sweepExpired deletes expired rows only', () => {
    const expired = kernel.store.issue('alice', HOUR);
    const live = kernel.store.issue('alice', HOUR);
    kernel.db.prepare('UPDATE tokens SET expires_at = ? WHERE jti = ?').run(Date.now() - 1, expired.jti);
    expect(kernel.store.sweepExpired()).toBe(1);
    expect(kernel.db.prepare('SELECT jti FROM tokens').pluck().all()).toEqual([live.jti]);
    expect(kernel.store.verify(live.jwt).jti).toBe(live.jti);
    expect(kernel.store.sweepExpired()).toBe(0);
  });
});
