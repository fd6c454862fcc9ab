/**
 * Cookie mode's cookie: reading `authToken` out of any Cookie header,
 * hostile ones included, and the Set-Cookie values written.
 */
import { describe, expect, it } from 'vitest';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { authTokenCookie, clearedSessionCookie, cookieIsSecure, sessionCookie } from '../../kernel/http/session-cookie.js';

const TOKEN = 'kauth-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhIn0.sig_-';

function refusal(header: string): string | undefined {
  try {
    authTokenCookie(header);
  } catch (error) {
    return error instanceof PluginError ? `${error.status} ${error.id}` : String(error);
  }
  return undefined;
}

describe('authTokenCookie', () => {
  it.each([
    [`authToken=${TOKEN}`, TOKEN],
    [`theme=dark; authToken=${TOKEN}; lang=fr`, TOKEN],
    [`theme=dark;authToken=${TOKEN}`, TOKEN],
    [` \tauthToken = ${TOKEN} ;`, TOKEN],
    [`authToken="${TOKEN}"`, TOKEN],
    // The first one, as browsers list the most specific cookie first.
    [`authToken=${TOKEN}; authToken=kauth-other`, TOKEN],
    // The name inside another cookie's value, or a longer name, is not the cookie.
    [`x=authToken=kauth-evil; authToken=${TOKEN}`, TOKEN],
    [`myauthToken=kauth-evil; authTokenX=kauth-evil; authToken=${TOKEN}`, TOKEN],
  ])('reads %j', (header, expected) => {
    expect(authTokenCookie(header)).toBe(expected);
  });

  it.each(['', 'theme=dark', 'authToken', 'authToken=', 'authToken=null', 'authToken=""', 'x=authToken=kauth-evil', ';;;===;;', 'authtoken=kauth-case'])(
    'finds no token in %j',
    (header) => {
      expect(authTokenCookie(header)).toBeNull();
    },
  );

  it.each([
    ['a value with a space', 'authToken=kauth-a b'],
    ['a value with a backslash', 'authToken=kauth-a\\b'],
    ['a value with a comma', 'authToken=kauth-a,b'],
    ['a value with a control character', 'authToken=kauth-a\u0001b'],
    ['a value with non-ASCII', 'authToken=kauth-é'],
    ['a value longer than any token (over 2048 characters)', `authToken=kauth-${'a'.repeat(2100)}`],
  ])('refuses %s with 401 security.cookie.invalid', (_name, header) => {
    expect(refusal(header)).toBe('401 security.cookie.invalid');
  });

  it('reads a huge header in one pass, without crashing', () => {
    const junk = 'authTokenX=1; '.repeat(100_000);
    expect(authTokenCookie(`${junk}authToken=${TOKEN}`)).toBe(TOKEN);
    expect(authTokenCookie('authToken'.repeat(200_000))).toBeNull();
    expect(authTokenCookie(';'.repeat(1_000_000))).toBeNull();
  });
});

describe('sessionCookie', () => {
  const now = Date.UTC(2030, 0, 1);

  it('is HttpOnly, SameSite=Strict, Path=/, and expires with its token', () => {
    const value = sessionCookie(TOKEN, now + 3_600_000, false, now);
    expect(value).toBe(`authToken=${TOKEN}; Path=/; Expires=Tue, 01 Jan 2030 01:00:00 GMT; Max-Age=3600; HttpOnly; SameSite=Strict`);
  });

  it('adds Secure when asked, and never outlives its token', () => {
    const value = sessionCookie(TOKEN, now + 1999, true, now);
    expect(value).toMatch(/; Max-Age=1; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('is cleared with the same name, path and attributes, already expired', () => {
    expect(clearedSessionCookie(true)).toBe('authToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
    expect(clearedSessionCookie(false)).not.toContain('Secure');
  });

  it.each([
    ['always', false, true],
    ['always', true, true],
    ['auto', true, true],
    ['auto', false, false],
    ['never', true, false],
  ] as const)('COOKIE_SECURE=%s over HTTPS %s: Secure %s', (mode, https, secure) => {
    expect(cookieIsSecure(mode, https)).toBe(secure);
  });
});
