import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, fingerprintOf } from '../../kernel/tokens/api-key-store.js';
import { AUTH_TOKEN_PREFIX, type TokenStore } from '../../kernel/tokens/token-store.js';
import { b64, claimsOf, partsOf, waitPast } from '../helpers/jwt.js';
import { thrown } from '../helpers/thrown.js';
import { useTokenStore } from '../helpers/token-store.js';

const HOUR = 3_600_000;
const secret = randomBytes(32);

describe('API keys in the token store', () => {
  const kernel = useTokenStore(secret);
  const { restart } = kernel;
  const invalid = (s: TokenStore, token: string) => {
    const error = thrown(() => s.verify(token));
    return { id: error.id, status: error.status, message: error.message };
  };

  it('signs kapikey- HS256 JWTs: {_id, jti, iat, kind} without exp when they never expire, with exp otherwise', () => {
    const never = kernel.store.apiKeys.create('alice', { description: 'ci', ttlMs: null });
    expect(never._source).toEqual({ userId: 'alice', description: 'ci', expiresAt: -1, ttl: -1, token: expect.stringMatching(/^kapikey-/) });
    expect(Object.keys(claimsOf(never._source.token, API_KEY_PREFIX)).sort()).toEqual(['_id', 'iat', 'jti', 'kind']);
    expect(claimsOf(never._source.token, API_KEY_PREFIX)).toMatchObject({ _id: 'alice', kind: 'apiKey' });

    const hourly = kernel.store.apiKeys.create('alice', { id: 'hourly', description: 'x', ttlMs: HOUR });
    const { exp } = claimsOf(hourly._source.token, API_KEY_PREFIX) as { exp: number };
    expect(hourly._id).toBe('hourly');
    expect(hourly._source.expiresAt).toBe(exp * 1000);
    expect(hourly._source.ttl).toBe(HOUR);
  });

  it('verifies a key from memory, and after a restart from its fingerprint; never expiring is Infinity inside', () => {
    const { _source } = kernel.store.apiKeys.create('alice', { description: 'ci', ttlMs: null });
    const expected = { kind: 'apiKey', jti: fingerprintOf(_source.token), kuid: 'alice', expiresAt: Infinity, refreshed: false };
    expect(kernel.store.verify(_source.token)).toEqual(expected);
    expect(restart().verify(_source.token)).toEqual(expected);
  });

  it('stores the fingerprint only: no column of api_keys holds the key or a part of it', () => {
    const { _source } = kernel.store.apiKeys.create('alice', { description: 'ci', ttlMs: HOUR });
    const row = kernel.db.prepare('SELECT * FROM api_keys').get() as Record<string, unknown>;
    expect(row.fingerprint).toBe(fingerprintOf(_source.token));
    const signature = _source.token.split('.')[2]!;
    for (const value of Object.values(row)) {
      expect(String(value)).not.toContain(signature);
      expect(String(value)).not.toContain(_source.token.slice(API_KEY_PREFIX.length, 40));
    }
  });

  it('delete: the key is refused at once, in memory and after a restart; search no longer lists it', () => {
    const { _id, _source } = kernel.store.apiKeys.create('alice', { description: 'ci', ttlMs: null });
    kernel.store.verify(_source.token);
    kernel.store.apiKeys.delete('alice', _id);
    expect(invalid(kernel.store, _source.token)).toMatchObject({ id: 'security.token.invalid', status: 401, message: expect.stringMatching(/revoked/) });
    expect(invalid(restart(), _source.token).message).toMatch(/revoked/);
    expect(kernel.store.apiKeys.search('alice', {}, 0, 10)).toEqual({ hits: [], total: 0 });
  });

  it("delete of an unknown id or another user's key: 404 services.storage.not_found, and the key keeps working", () => {
    const bobs = kernel.store.apiKeys.create('bob', { id: 'k', description: 'b', ttlMs: null });
    for (const [kuid, id] of [['alice', 'k'], ['bob', 'nope']] as const) {
      const error = thrown(() => kernel.store.apiKeys.delete(kuid, id));
      expect({ id: error.id, status: error.status, props: error.props }).toEqual({ id: 'services.storage.not_found', status: 404, props: [id, 'kernel', 'api-keys'] });
    }
    expect(kernel.store.verify(bobs._source.token).kuid).toBe('bob');
  });

  it('ids are per user: two users may name a key alike; the same user twice is 400 document_already_exists', () => {
    kernel.store.apiKeys.create('alice', { id: 'ci', description: 'a', ttlMs: null });
    kernel.store.apiKeys.create('bob', { id: 'ci', description: 'b', ttlMs: null });
    const again = thrown(() => kernel.store.apiKeys.create('alice', { id: 'ci', description: 'c', ttlMs: null }));
    expect({ id: again.id, status: again.status }).toEqual({ id: 'services.storage.document_already_exists', status: 400 });
    expect(kernel.store.apiKeys.search('alice', {}, 0, 10).hits.map((k) => k._source.description)).toEqual(['a']);
  });

  it("deleteUser removes that user's keys only, at once; tokens' revokeUser (global logout) keeps keys", () => {
    const alices = [1, 2, 3].map(() => kernel.store.apiKeys.create('alice', { description: 'a', ttlMs: null })._source.token);
    const bobs = kernel.store.apiKeys.create('bob', { description: 'b', ttlMs: null })._source.token;
    for (const key of alices) kernel.store.verify(key);
    kernel.store.revokeUser('alice');
    for (const key of alices) expect(kernel.store.verify(key).kuid).toBe('alice');
    expect(kernel.store.apiKeys.deleteUser('alice')).toBe(3);
    for (const key of alices) expect(invalid(kernel.store, key).message).toMatch(/revoked/);
    expect(kernel.store.verify(bobs).kuid).toBe('bob');
  });

  it('an API key cannot be refreshed: 401 security.token.refresh_forbidden', () => {
    const { _source } = kernel.store.apiKeys.create('alice', { description: 'a', ttlMs: null });
    const error = thrown(() => kernel.store.markRefreshed(kernel.store.verify(_source.token)));
    expect({ id: error.id, status: error.status }).toEqual({ id: 'security.token.refresh_forbidden', status: 401 });
    expect(kernel.store.verify(_source.token).kuid).toBe('alice');
  });

  it('refuses an expired key, in memory and after a restart', async () => {
    const { _source } = kernel.store.apiKeys.create('alice', { description: 'a', ttlMs: 1 });
    await waitPast(_source.expiresAt);
    expect(invalid(kernel.store, _source.token).message).toMatch(/expired/);
    expect(invalid(restart(), _source.token).message).toMatch(/expired/);
  });

  it('refuses forgeries: another secret, alg none, a tampered owner, a token JWT under kapikey-, a key under kauth-', () => {
    const genuine = kernel.store.apiKeys.create('alice', { description: 'a', ttlMs: null })._source.token;
    const claims = claimsOf(genuine, API_KEY_PREFIX);
    const [header, , signature] = partsOf(genuine, API_KEY_PREFIX);
    const token = kernel.store.issue('alice', HOUR).jwt;
    const forged = [
      API_KEY_PREFIX + jwt.sign(claims, randomBytes(32), { algorithm: 'HS256' }),
      `${API_KEY_PREFIX}${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      `${API_KEY_PREFIX}${header}.${b64({ ...claims, _id: 'admin' })}.${signature}`,
      API_KEY_PREFIX + jwt.sign(claims, secret, { algorithm: 'HS512' }),
      API_KEY_PREFIX + token.slice(AUTH_TOKEN_PREFIX.length),
      API_KEY_PREFIX + jwt.sign({ ...claims, kind: 'token' }, secret, { algorithm: 'HS256' }),
    ];
    for (const sample of forged) expect(invalid(restart(), sample)).toMatchObject({ id: 'security.token.invalid', message: expect.stringMatching(/not a token/) });
    // Signed by us, shaped like a key, but never recorded (or its owner rewritten): no row has its fingerprint.
    for (const sample of [API_KEY_PREFIX + jwt.sign({ ...claims, jti: 'other' }, secret), API_KEY_PREFIX + jwt.sign({ ...claims, _id: 'admin' }, secret)]) {
      expect(invalid(restart(), sample).message).toMatch(/revoked/);
    }
    // A key's JWT under the token prefix: it has no exp, which tokens require.
    expect(invalid(restart(), AUTH_TOKEN_PREFIX + genuine.slice(API_KEY_PREFIX.length)).message).toMatch(/not a token/);
  });

  it('search pages through any number of keys, oldest first, with the total of all matches', () => {
    for (let i = 0; i < 25; i++) kernel.store.apiKeys.create('alice', { id: `key-${String(i).padStart(2, '0')}`, description: i % 2 === 0 ? 'even key' : 'odd key', ttlMs: null });
    kernel.store.apiKeys.create('bob', { id: 'bobs', description: 'even key', ttlMs: null });
    const all = kernel.store.apiKeys.search('alice', {}, 0, 100);
    expect(all.total).toBe(25);
    expect(all.hits.map((k) => k._id)).toEqual(Array.from({ length: 25 }, (_, i) => `key-${String(i).padStart(2, '0')}`));
    expect(all.hits[0]).toEqual({ _id: 'key-00', _source: { userId: 'alice', description: 'even key', expiresAt: -1, ttl: -1 } });
    const page = kernel.store.apiKeys.search('alice', { match: { description: 'even' } }, 10, 10);
    expect(page.total).toBe(13);
    expect(page.hits.map((k) => k._id)).toEqual(['key-20', 'key-22', 'key-24']);
  });
});

describe('single-use tokens in the token store', () => {
  const kernel = useTokenStore(secret);

  it('are only looked at by verify, and spent once by use: a second use, or a later verify, is 401 revoked', () => {
    const issued = kernel.store.issue('alice', HOUR, true);
    expect(issued.singleUse).toBe(true);
    const entry = kernel.store.verify(issued.jwt);
    expect(entry).toMatchObject({ kuid: 'alice', singleUse: true });
    expect(kernel.store.verify(issued.jwt).kuid).toBe('alice');
    kernel.store.use(entry);
    expect(thrown(() => kernel.store.use(entry)).message).toMatch(/revoked/);
    expect(thrown(() => kernel.store.verify(issued.jwt)).message).toMatch(/revoked/);
    // An ordinary token is unaffected by being used.
    const plain = kernel.store.issue('alice', HOUR);
    expect(plain.singleUse).toBe(false);
    kernel.store.use(kernel.store.verify(plain.jwt));
    for (let i = 0; i < 3; i++) expect(kernel.store.verify(plain.jwt).kuid).toBe('alice');
  });
});
