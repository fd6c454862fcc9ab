/**
 * Attacks on tokens and API keys through the real app, one table: forged
 * signatures and headers (alg none, HS/RS confusion, an embedded key,
 * another secret, a tampered payload), tokens signed with the kernel's own
 * secret but unknown to the ledger, and genuine tokens that are no longer
 * valid (expired, revoked in every way, a deleted user, a used single-use
 * token, a deleted API key). Each is presented every way a client can
 * present a token (Bearer header, `jwt` argument, `authToken` cookie, `jwt`
 * in a `/_query` body) and must be 401 `security.token.invalid`, as
 * docs/API.md documents ("Invalid, revoked or expired token"), with the
 * message telling which, and `auth:checkToken` must answer `{valid: false}`.
 * Then refresh replays (`security.token.refresh_forbidden`), and tokens
 * signed with the secret before a rotation.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX } from '../../kernel/tokens/api-key-store.js';
import { AUTH_TOKEN_PREFIX, MAX_TOKEN_LENGTH } from '../../kernel/tokens/token-store.js';
import { ADMIN_PASSWORD, errorOf, startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';
import { tempDir } from '../helpers/fixtures.js';
import { b64, claimsOf, partsOf, waitPast } from '../helpers/jwt.js';

type Reason = 'malformed' | 'expired' | 'revoked';
const MESSAGES: Record<Reason, string> = {
  malformed: 'Invalid token: not a token this server issued.',
  expired: 'Invalid token: it has expired.',
  revoked: 'Invalid token: it has been revoked.',
};

/** Every way a client can present a token; each answers auth:getCurrentUser. */
const PRESENTATIONS: Record<string, (k: ApiKernel, token: string) => ReturnType<ApiKernel['call']>> = {
  'Bearer header': (k, token) => k.call('GET', '/_me', { jwt: token }),
  'jwt argument': (k, token) => k.call('GET', `/_me?jwt=${encodeURIComponent(token)}`),
  'authToken cookie': (k, token) => k.call('GET', '/_me', { headers: { cookie: `authToken=${token}` } }),
  '/_query jwt': (k, token) => k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser', jwt: token } }),
};

/** `header.payload` signed as a JWT would be, with HMAC `hash` under `key` (any bytes: a PEM public key too). */
function hmacSigned(header: object, payload: object, key: string | Buffer, hash = 'sha256'): string {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${createHmac(hash, key).update(data).digest('base64url')}`;
}

/**
 * Expects the kernel to refuse `token` every way it can be presented, for
 * `reason`, and checkToken to say it is not valid. A cookie no browser could
 * have stored (over 2048 characters) is refused as such: 401 `security.cookie.invalid`.
 */
async function expectRefused(k: ApiKernel, token: string, reason: Reason): Promise<void> {
  for (const [how, present] of Object.entries(PRESENTATIONS)) {
    const answer = await present(k, token);
    const expected = how === 'authToken cookie' && token.length > MAX_TOKEN_LENGTH ? { id: 'security.cookie.invalid', message: 'Invalid cookie.' } : { id: 'security.token.invalid', message: MESSAGES[reason] };
    expect({ how, ...errorOf(answer), message: answer.body.error?.message }).toEqual({ how, status: 401, ...expected });
  }
  const check = await k.call('POST', '/_checkToken', { body: { token } });
  expect(check.body.result).toEqual({ valid: false, state: MESSAGES[reason] });
}

/** What the attacks are made from: the kernel, its secret, genuine tokens and their parts. */
interface Arsenal {
  k: ApiKernel;
  admin: string;
  secret: Buffer;
  alice: string;
  bob: string;
  aliceKey: string;
  claims: Record<string, unknown>;
  asAdmin: Record<string, unknown>;
  parts: [string, string, string];
  rsa: { privateKey: KeyObject; publicKey: KeyObject };
  login(name: string, query?: string): Promise<string>;
}

interface Attack {
  name: string;
  reason: Reason;
  /** Makes the token (in order, before any is presented: some wait for the clock, some spend a token). */
  make(a: Arsenal): string | Promise<string>;
}

const kernelSigned = (a: Arsenal, payload: object) => AUTH_TOKEN_PREFIX + jwt.sign(payload, a.secret, { algorithm: 'HS256', noTimestamp: true });
const newKey = async (a: Arsenal, jwt: string, query = '') => (await a.k.call('POST', `/api-keys/_create${query}`, { jwt, body: { description: 'attacks' } })).body.result as { _id: string; _source: { token: string } };

const ATTACKS: Attack[] = [
  // Forgeries: no knowledge of the kernel secret.
  { name: 'alg none, no signature', reason: 'malformed', make: (a) => `${AUTH_TOKEN_PREFIX}${b64({ alg: 'none', typ: 'JWT' })}.${b64(a.asAdmin)}.` },
  { name: 'alg none, the original signature kept', reason: 'malformed', make: (a) => `${AUTH_TOKEN_PREFIX}${b64({ alg: 'none', typ: 'JWT' })}.${a.parts[1]}.${a.parts[2]}` },
  { name: 'alg "None" (case)', reason: 'malformed', make: (a) => `${AUTH_TOKEN_PREFIX}${b64({ alg: 'None', typ: 'JWT' })}.${b64(a.asAdmin)}.` },
  { name: 'RS256 signed with an attacker key pair', reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + jwt.sign(a.asAdmin, a.rsa.privateKey, { algorithm: 'RS256' }) },
  {
    name: 'HS256 keyed with that public key PEM (HS/RS confusion)',
    reason: 'malformed',
    make: (a) => AUTH_TOKEN_PREFIX + hmacSigned({ alg: 'HS256', typ: 'JWT' }, a.asAdmin, a.rsa.publicKey.export({ type: 'spki', format: 'pem' })),
  },
  {
    name: 'RS256 with the attacker key embedded in the header (jwk)',
    reason: 'malformed',
    make: (a) => {
      const data = `${b64({ alg: 'RS256', typ: 'JWT', jwk: a.rsa.publicKey.export({ format: 'jwk' }) })}.${b64(a.asAdmin)}`;
      return `${AUTH_TOKEN_PREFIX}${data}.${sign('sha256', Buffer.from(data), a.rsa.privateKey).toString('base64url')}`;
    },
  },
  { name: 'HS256 under another secret', reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + jwt.sign(a.asAdmin, randomBytes(32), { algorithm: 'HS256' }) },
  { name: 'HS256 under an empty secret', reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + hmacSigned({ alg: 'HS256', typ: 'JWT' }, a.asAdmin, '') },
  { name: 'tampered payload: another _id, the original signature', reason: 'malformed', make: (a) => `${AUTH_TOKEN_PREFIX}${a.parts[0]}.${b64(a.asAdmin)}.${a.parts[2]}` },
  {
    name: 'tampered payload: a later exp, the original signature',
    reason: 'malformed',
    make: (a) => `${AUTH_TOKEN_PREFIX}${a.parts[0]}.${b64({ ...a.claims, exp: (a.claims.exp as number) + 86_400 })}.${a.parts[2]}`,
  },
  { name: 'the JWT without its kauth- prefix', reason: 'malformed', make: (a) => a.alice.slice(AUTH_TOKEN_PREFIX.length) },
  { name: 'garbage after the prefix', reason: 'malformed', make: () => 'kauth-garbage' },
  { name: 'garbage, 2000 characters', reason: 'malformed', make: () => 'x'.repeat(2000) },
  { name: 'the token with a fourth part', reason: 'malformed', make: (a) => `${a.alice}.x` },
  { name: 'the token padded past 2048 characters', reason: 'malformed', make: (a) => a.alice.padEnd(MAX_TOKEN_LENGTH + 1, 'A') },
  { name: "an API key's JWT presented as a token (kauth-)", reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + a.aliceKey.slice(API_KEY_PREFIX.length) },
  { name: "a token's JWT presented as an API key (kapikey-)", reason: 'malformed', make: (a) => API_KEY_PREFIX + a.alice.slice(AUTH_TOKEN_PREFIX.length) },

  // The kernel's own secret (leaked, or a mistake of ours): the algorithm is pinned, and the ledger has the last word.
  { name: 'header says RS256, HMAC under the kernel secret', reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + hmacSigned({ alg: 'RS256', typ: 'JWT' }, a.claims, a.secret) },
  { name: 'HS512 under the kernel secret', reason: 'malformed', make: (a) => AUTH_TOKEN_PREFIX + jwt.sign(a.claims, a.secret, { algorithm: 'HS512' }) },
  { name: 'kernel-signed, a jti unknown to the ledger', reason: 'revoked', make: (a) => kernelSigned(a, { ...a.claims, jti: '00000000-0000-4000-8000-000000000000' }) },
  { name: 'kernel-signed, admin with a jti unknown to the ledger', reason: 'revoked', make: (a) => kernelSigned(a, { ...a.asAdmin, jti: '00000000-0000-4000-8000-000000000001' }) },
  { name: "kernel-signed, alice claiming bob's ledger row", reason: 'revoked', make: (a) => kernelSigned(a, { ...a.claims, jti: claimsOf(a.bob).jti }) },
  { name: "kernel-signed, bob's ledger row claiming to be admin", reason: 'revoked', make: (a) => kernelSigned(a, { ...claimsOf(a.bob), _id: 'admin' }) },
  { name: 'kernel-signed, no exp', reason: 'malformed', make: (a) => kernelSigned(a, { _id: a.claims._id, jti: a.claims.jti, iat: a.claims.iat }) },
  { name: 'kernel-signed, no jti', reason: 'malformed', make: (a) => kernelSigned(a, { _id: a.claims._id, iat: a.claims.iat, exp: a.claims.exp }) },
  { name: 'kernel-signed, exp in the past (an old token)', reason: 'expired', make: (a) => kernelSigned(a, { ...a.claims, exp: Math.floor(Date.now() / 1000) - 60 }) },
  {
    name: 'kernel-signed API key payload without a ledger row',
    reason: 'revoked',
    make: (a) => API_KEY_PREFIX + jwt.sign({ _id: 'alice', jti: 'forged', iat: a.claims.iat, kind: 'apiKey' }, a.secret, { algorithm: 'HS256' }),
  },

  // Genuine tokens, dead.
  { name: 'expired (issued for 1 ms)', reason: 'expired', make: (a) => a.login('alice', '?expiresIn=1') },
  { name: 'an expired API key (issued for 1 ms)', reason: 'expired', make: async (a) => (await newKey(a, a.alice, '?expiresIn=1'))._source.token },
  { name: 'the old token after a refresh, past the 1 s grace', reason: 'expired', make: async (a) => {
    const old = await a.login('alice');
    expect((await a.k.call('POST', '/_refreshToken', { jwt: old })).status).toBe(200);
    return old;
  } },
  { name: 'revoked by logout', reason: 'revoked', make: async (a) => {
    const token = await a.login('alice');
    await a.k.call('POST', '/_logout', { jwt: token });
    return token;
  } },
  { name: "revoked by another session's logout?global", reason: 'revoked', make: async (a) => {
    const [first, second] = [await a.login('carol'), await a.login('carol')];
    await a.k.call('POST', '/_logout?global', { jwt: first });
    return second;
  } },
  { name: 'revoked by security:revokeTokens', reason: 'revoked', make: async (a) => {
    const token = await a.login('dave');
    await a.k.call('DELETE', '/users/dave/tokens', { jwt: a.admin });
    return token;
  } },
  { name: 'ended by a password change', reason: 'revoked', make: async (a) => {
    const token = await a.login('erin');
    await a.k.call('PUT', '/credentials/local/erin/_update', { jwt: a.admin, body: { password: 'erin has a brand new passphrase' } });
    return token;
  } },
  { name: 'the token of a deleted user', reason: 'revoked', make: async (a) => {
    await a.k.createUser(a.admin, 'frank', USER_PASSWORD, 'frank');
    const token = await a.login('frank');
    await a.k.call('DELETE', '/users/frank', { jwt: a.admin });
    return token;
  } },
  { name: 'the API key of a deleted user', reason: 'revoked', make: async (a) => {
    await a.k.createUser(a.admin, 'gina', USER_PASSWORD, 'gina');
    const key = await newKey(a, await a.login('gina'));
    await a.k.call('DELETE', '/users/gina', { jwt: a.admin });
    return key._source.token;
  } },
  { name: 'an API key after deleteApiKey', reason: 'revoked', make: async (a) => {
    const key = await newKey(a, a.alice);
    await a.k.call('DELETE', `/api-keys/${key._id}`, { jwt: a.alice });
    return key._source.token;
  } },
  { name: 'a single-use token, used once', reason: 'revoked', make: async (a) => {
    const token = (await a.k.call('POST', '/_createToken?singleUse', { jwt: a.alice })).body.result.token as string;
    expect((await a.k.call('GET', '/_me', { jwt: token })).status).toBe(200);
    return token;
  } },
];

/** Refresh replays: each token presented to `POST /_refreshToken`, with the answer docs/API.md gives. */
interface Replay {
  name: string;
  /** Made by its test, just before it is presented (within its 1 s grace), rather than with the others before their wait. */
  fresh?: true;
  expected: { status: number; id: string };
  make(a: Arsenal): Promise<string>;
}

const REFRESH_FORBIDDEN = { status: 401, id: 'security.token.refresh_forbidden' };
const REPLAYS: Replay[] = [
  { name: 'a token refreshed once, refreshed again within the grace', fresh: true, expected: REFRESH_FORBIDDEN, make: async (a) => {
    const old = await a.login('alice');
    expect((await a.k.call('POST', '/_refreshToken', { jwt: old })).status).toBe(200);
    return old;
  } },
  { name: 'a token refreshed once, refreshed again after the grace', expected: { status: 401, id: 'security.token.invalid' }, make: async (a) => {
    const old = await a.login('alice');
    expect((await a.k.call('POST', '/_refreshToken', { jwt: old })).status).toBe(200);
    return old;
  } },
  { name: 'an API key (never refreshable)', expected: REFRESH_FORBIDDEN, make: async (a) => (await newKey(a, a.alice))._source.token },
  { name: 'a single-use token (never refreshable)', expected: REFRESH_FORBIDDEN, make: async (a) => (await a.k.call('POST', '/_createToken?singleUse', { jwt: a.alice })).body.result.token as string },
  { name: 'a token revoked by logout', expected: { status: 401, id: 'security.token.invalid' }, make: async (a) => {
    const token = await a.login('alice');
    await a.k.call('POST', '/_logout', { jwt: token });
    return token;
  } },
];

describe('JWT attacks: every forged or dead token is 401 security.token.invalid', () => {
  let k: ApiKernel;
  let arsenal: Arsenal;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    k = await startApiKernel();
    const admin = await k.firstAdmin();
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) await k.createUser(admin, name, USER_PASSWORD, name);
    const alice = await k.login('alice');
    const claims = claimsOf(alice);
    arsenal = {
      k,
      admin,
      secret: k.kernel.secret.key,
      alice,
      bob: await k.login('bob'),
      aliceKey: (await newKey({ k } as Arsenal, alice))._source.token,
      claims,
      asAdmin: { ...claims, _id: 'admin' },
      parts: partsOf(alice),
      rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
      login: async (name, query = '') => (await k.call('POST', `/_login/local${query}`, { body: { username: name, password: USER_PASSWORD } })).body.result.jwt as string,
    };
    for (const attack of [...ATTACKS, ...REPLAYS.filter((replay) => !replay.fresh)]) tokens.set(attack.name, await attack.make(arsenal));
    // Past the 1 ms tokens' expiry (whole seconds) and the refreshes' 1 s grace, made above.
    await waitPast(Date.now() + 1000);
  }, 30_000);
  afterAll(() => k.stop());

  it.each(ATTACKS)('$name: 401 ($reason), whichever way it is presented; checkToken {valid: false}', async ({ name, reason }) => {
    await expectRefused(k, tokens.get(name)!, reason);
  });

  it.each(REPLAYS)('refresh replay, $name: $expected.status $expected.id', async (replay) => {
    const token = replay.fresh ? await replay.make(arsenal) : tokens.get(replay.name)!;
    expect(errorOf(await k.call('POST', '/_refreshToken', { jwt: token }))).toEqual(replay.expected);
  });

  it('five concurrent refreshes of one token: exactly one new token, the others 401 security.token.refresh_forbidden', async () => {
    const token = await arsenal.login('alice');
    const answers = await Promise.all(Array.from({ length: 5 }, () => k.call('POST', '/_refreshToken', { jwt: token })));
    expect(answers.map((answer) => errorOf(answer)).sort((x, y) => x.status - y.status)).toEqual([{ status: 200, id: undefined }, ...Array(4).fill(REFRESH_FORBIDDEN)]);
    const fresh = answers.find((answer) => answer.status === 200)!.body.result.jwt as string;
    expect((await k.call('GET', '/_me', { jwt: fresh })).body.result._id).toBe('alice');
  });

  it('leaves the genuine tokens working; no log line holds the secret or a token presented', async () => {
    for (const token of [arsenal.alice, arsenal.bob, arsenal.aliceKey]) expect((await k.call('GET', '/_me', { jwt: token })).status).toBe(200);
    const logs = k.logs().join('\n');
    expect(logs).toContain('auth:logout');
    for (const form of [arsenal.secret.toString('hex'), arsenal.secret.toString('base64')]) expect(logs).not.toContain(form);
    // The part after a kauth-/kapikey- prefix (a JWT's base64url may hold '-' itself: a prefix-less token is checked whole).
    for (const [name, token] of tokens) expect(logs.includes(token.replace(/^(kauth|kapikey)-/, '')), name).toBe(false);
  });
});

/**
 * Rotating the kernel secret: the kernel signs and verifies with one secret,
 * KERNEL_SECRET or else DATA_DIR/kernel.secret, read at start; there is no
 * list of old secrets. Rotating is restarting with another one (a new
 * KERNEL_SECRET, or a new kernel.secret file), and from then on every token
 * and API key signed with the old one is refused, though their ledger rows
 * are still in the database.
 */
describe('tokens signed with the secret before a rotation', () => {
  const secret = () => randomBytes(32).toString('hex');

  /** Starts a kernel on `dataDir`, logs alice in and makes her an API key; answers both, the kernel stopped. */
  async function issueUnder(dataDir: string, kernelSecret?: string): Promise<{ token: string; key: string }> {
    const k = await startApiKernel({ dataDir, ...(kernelSecret === undefined ? {} : { config: { kernelSecret } }) });
    try {
      await k.createUser(await k.firstAdmin(), 'alice', USER_PASSWORD, 'alice');
      const token = await k.login('alice');
      return { token, key: (await newKey({ k } as Arsenal, token))._source.token };
    } finally {
      await k.stop();
    }
  }

  /** Restarts on `dataDir` under the new secret: the old token and key are refused, a new login works. */
  async function expectRotated(dataDir: string, issued: { token: string; key: string }, kernelSecret?: string): Promise<void> {
    const k = await startApiKernel({ dataDir, ...(kernelSecret === undefined ? {} : { config: { kernelSecret } }) });
    try {
      await expectRefused(k, issued.token, 'malformed');
      await expectRefused(k, issued.key, 'malformed');
      const fresh = await k.login('alice');
      expect((await k.call('GET', '/_me', { jwt: fresh })).body.result._id).toBe('alice');
      expect(await k.login('admin', ADMIN_PASSWORD)).toMatch(/^kauth-/);
    } finally {
      await k.stop();
    }
  }

  it('a new KERNEL_SECRET: 401 security.token.invalid for every old token and key', async () => {
    const dataDir = tempDir('portcullis-rotation-');
    await expectRotated(dataDir, await issueUnder(dataDir, secret()), secret());
  });

  it('a new kernel.secret file: 401 security.token.invalid for every old token and key', async () => {
    const dataDir = tempDir('portcullis-rotation-');
    const issued = await issueUnder(dataDir);
    writeFileSync(join(dataDir, 'kernel.secret'), `${randomBytes(64).toString('hex')}\n`, { mode: 0o600 });
    await expectRotated(dataDir, issued);
  });
});
