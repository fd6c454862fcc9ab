/**
 * Cookie mode (`cookieAuth`) through the real app: the `authToken` cookie
 * set by login and refreshToken, its attributes, the token left out of the
 * body, the cookie authenticating what follows, the cookie and a token
 * together refused as Kuzzle refuses them, checkToken on the cookie, and a
 * logout that clears the cookie and revokes its token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';

const CREDENTIALS = { username: 'alice', password: USER_PASSWORD };

/** The `authToken` value a Set-Cookie header carries. */
function cookieToken(setCookie: string | null): string {
  const match = /^authToken=([^;]*);/.exec(setCookie ?? '');
  if (match === null) throw new Error(`no authToken cookie in ${String(setCookie)}`);
  return match[1]!;
}

describe('cookie mode', () => {
  let k: ApiKernel;
  let alice: string;
  beforeAll(async () => {
    k = await startApiKernel();
    alice = await k.createUser(await k.firstAdmin(), 'alice');
  });
  afterAll(() => k.stop());

  const cookieLogin = async () => {
    const answer = await k.call('POST', '/_login/local?cookieAuth', { body: CREDENTIALS });
    expect(answer.status).toBe(200);
    return { answer, token: cookieToken(answer.headers.get('set-cookie')) };
  };
  const withCookie = (token: string, extra: Record<string, string> = {}) => ({ headers: { cookie: `theme=dark; authToken=${token}`, ...extra } });

  it('login sets an HttpOnly, SameSite=Strict, Secure cookie for / that expires with the token, and answers no jwt', async () => {
    const { answer, token } = await cookieLogin();
    const { result } = answer.body;
    expect(Object.keys(result).sort()).toEqual(['_id', 'expiresAt', 'ttl']);
    expect(result._id).toBe(alice);
    expect(token).toMatch(/^kauth-[\w-]+\.[\w-]+\.[\w-]+$/);
    const setCookie = answer.headers.get('set-cookie')!;
    const expires = new Date(result.expiresAt).toUTCString();
    expect(setCookie).toBe(`authToken=${token}; Path=/; Expires=${expires}; Max-Age=${setCookie.match(/Max-Age=(\d+)/)![1]}; HttpOnly; SameSite=Strict; Secure`);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    expect(maxAge).toBeLessThanOrEqual(result.ttl / 1000);
    expect(maxAge).toBeGreaterThan(result.ttl / 1000 - 60);
  });

  it('takes cookieAuth as a query flag, true or false, and leaves the usual answer without it', async () => {
    expect((await k.call('POST', '/_login/local?cookieAuth=true', { body: CREDENTIALS })).headers.get('set-cookie')).toMatch(/^authToken=kauth-/);
    for (const path of ['/_login/local', '/_login/local?cookieAuth=false']) {
      const answer = await k.call('POST', path, { body: CREDENTIALS });
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(answer.body.result.jwt).toMatch(/^kauth-/);
    }
  });

  it('authenticates a request that carries the cookie, with or without cookieAuth', async () => {
    const { token } = await cookieLogin();
    expect((await k.call('GET', '/_me', withCookie(token))).body.result._id).toBe(alice);
    expect((await k.call('GET', '/_me?cookieAuth', withCookie(token))).body.result._id).toBe(alice);
    expect((await k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser' }, ...withCookie(token) })).body.result._id).toBe(alice);
  });

  it('refuses the cookie together with a token as Kuzzle does: 500 security.token.verification_error', async () => {
    const { token } = await cookieLogin();
    const bearer = await k.login('alice');
    expect(errorOf(await k.call('GET', '/_me', { jwt: bearer, ...withCookie(token) }))).toEqual({ status: 500, id: 'security.token.verification_error' });
    expect(errorOf(await k.call('GET', `/_me?jwt=${bearer}`, withCookie(token)))).toEqual({ status: 500, id: 'security.token.verification_error' });
    const query = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser', jwt: bearer }, ...withCookie(token) });
    expect(errorOf(query)).toEqual({ status: 500, id: 'security.token.verification_error' });
    expect(JSON.stringify(query.body)).not.toContain(token);
  });

  it("checkToken with cookieAuth checks the cookie's token", async () => {
    const { token } = await cookieLogin();
    const valid = await k.call('POST', '/_checkToken?cookieAuth', { body: {}, ...withCookie(token) });
    expect(valid.body.result).toMatchObject({ valid: true, kuid: alice });
    // Without cookieAuth it checks the body's token, as before.
    const body = await k.call('POST', '/_checkToken', { body: { token: 'kauth-not.a.token' }, ...withCookie(token) });
    expect(body.body.result).toMatchObject({ valid: false });
    // No cookie: the anonymous answer, as for no token.
    expect((await k.call('POST', '/_checkToken?cookieAuth', { body: {} })).body.result).toEqual({ valid: true, kuid: '-1', expiresAt: null });
  });

  it('refreshToken with cookieAuth sets a new cookie and answers no jwt', async () => {
    const { token } = await cookieLogin();
    const answer = await k.call('POST', '/_refreshToken?cookieAuth', withCookie(token));
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.result).sort()).toEqual(['_id', 'expiresAt', 'ttl']);
    const fresh = cookieToken(answer.headers.get('set-cookie'));
    expect(fresh).not.toBe(token);
    expect(answer.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect((await k.call('GET', '/_me', withCookie(fresh))).body.result._id).toBe(alice);
  });

  it('logout with cookieAuth clears the cookie and revokes its token: the old value then fails, even as a Bearer token', async () => {
    const { token } = await cookieLogin();
    const answer = await k.call('POST', '/_logout?cookieAuth', withCookie(token));
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ acknowledged: true });
    expect(answer.headers.get('set-cookie')).toBe('authToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
    expect(errorOf(await k.call('GET', '/_me', { jwt: token }))).toEqual({ status: 401, id: 'security.token.invalid' });
    expect(errorOf(await k.call('GET', '/_me', withCookie(token)))).toEqual({ status: 401, id: 'security.token.invalid' });
    const check = await k.call('POST', '/_checkToken?cookieAuth', { body: {}, ...withCookie(token) });
    expect(check.body.result).toMatchObject({ valid: false, state: expect.stringContaining('revoked') });
  });

  it('lets a browser holding a dead cookie log in again, and replaces the cookie', async () => {
    const { token } = await cookieLogin();
    await k.call('POST', '/_logout?cookieAuth', withCookie(token));
    const again = await k.call('POST', '/_login/local?cookieAuth', { body: CREDENTIALS, ...withCookie(token) });
    expect(again.status).toBe(200);
    expect(cookieToken(again.headers.get('set-cookie'))).not.toBe(token);
  });

  it('ignores cookies other than authToken, and an empty or cleared one', async () => {
    for (const cookie of ['theme=dark; lang=fr', 'authToken=', 'authToken=null', 'x=authToken=kauth-evil']) {
      const answer = await k.call('GET', '/_me', { headers: { cookie } });
      expect(answer.status, cookie).toBe(200);
      expect(answer.body.result._id, cookie).toBe('-1');
    }
  });

  it('answers a malformed authToken cookie with 401 security.cookie.invalid, and a huge Cookie header without crashing', async () => {
    expect(errorOf(await k.call('GET', '/_me', { headers: { cookie: 'authToken=kauth-a\\b' } }))).toEqual({ status: 401, id: 'security.cookie.invalid' });
    expect(errorOf(await k.call('GET', '/_me', { headers: { cookie: `authToken=${'a'.repeat(10_000)}` } }))).toEqual({ status: 401, id: 'security.cookie.invalid' });
    expect(errorOf(await k.call('GET', '/_me', { headers: { cookie: 'authToken=kauth-forged' } }))).toEqual({ status: 401, id: 'security.token.invalid' });
    const huge = await k.call('GET', '/_me', { headers: { cookie: `${'junk=1; '.repeat(50_000)}theme=dark` } });
    expect(huge.status).toBe(200);
  });
});

describe('cookie mode, Secure per COOKIE_SECURE', () => {
  it('leaves Secure out with COOKIE_SECURE=never', async () => {
    const k = await startApiKernel({ config: { cookieSecure: 'never' } });
    try {
      await k.createUser(await k.firstAdmin(), 'alice');
      const answer = await k.call('POST', '/_login/local?cookieAuth', { body: CREDENTIALS });
      expect(answer.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict$/);
      const logout = await k.call('POST', '/_logout?cookieAuth', { headers: { cookie: `authToken=${cookieToken(answer.headers.get('set-cookie'))}` } });
      expect(logout.headers.get('set-cookie')).toMatch(/^authToken=; .*; Max-Age=0; HttpOnly; SameSite=Strict$/);
    } finally {
      await k.stop();
    }
  });

  it('with COOKIE_SECURE=auto, sets Secure only when a trusted proxy says the client used HTTPS', async () => {
    const k = await startApiKernel({ config: { cookieSecure: 'auto', trustedProxies: ['127.0.0.1'] } });
    try {
      await k.createUser(await k.firstAdmin(), 'alice');
      const url = await k.kernel.listen();
      const login = (headers: Record<string, string>) =>
        fetch(`${url}/_login/local?cookieAuth`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(CREDENTIALS) });
      expect((await login({ 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure$/);
      expect((await login({ 'x-forwarded-proto': 'http' })).headers.get('set-cookie')).not.toContain('Secure');
      expect((await login({})).headers.get('set-cookie')).not.toContain('Secure');
    } finally {
      await k.stop();
    }
  });

  it('with COOKIE_SECURE=auto, ignores X-Forwarded-Proto from a peer that is not a trusted proxy', async () => {
    const k = await startApiKernel({ config: { cookieSecure: 'auto', trustedProxies: ['10.0.0.0/8'] } });
    try {
      await k.createUser(await k.firstAdmin(), 'alice');
      const url = await k.kernel.listen();
      const answer = await fetch(`${url}/_login/local?cookieAuth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify(CREDENTIALS),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('set-cookie')).not.toContain('Secure');
    } finally {
      await k.stop();
    }
  });
});
