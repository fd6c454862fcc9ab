/**
 * Cookie mode (`cookieAuth`): the token travels in an `authToken` cookie
 * that page scripts cannot read (HttpOnly), that browsers send only to this
 * site (SameSite=Strict) and, when `Secure`, only over HTTPS. The cookie
 * expires with its token. Parsing reads the `Cookie` header for that one
 * name, in one pass and without splitting it: a hostile header costs time
 * in its length, never more, and never crashes.
 *
 * @example
 * ```ts
 * authTokenCookie('theme=dark; authToken=kauth-eyJ...'); // 'kauth-eyJ...'
 * sessionCookie('kauth-eyJ...', Date.now() + 3_600_000, true);
 * // 'authToken=kauth-eyJ...; Path=/; Expires=...; Max-Age=3600; HttpOnly; SameSite=Strict; Secure'
 * ```
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { MAX_TOKEN_LENGTH } from '../tokens/token-store.js';

export const AUTH_COOKIE = 'authToken';

/**
 * When the cookie gets `Secure`: `always`; `never`; `auto`, when the request
 * came over TLS or a trusted proxy says the client used HTTPS.
 */
export const COOKIE_SECURE_MODES = ['always', 'auto', 'never'] as const;
export type CookieSecure = (typeof COOKIE_SECURE_MODES)[number];

/** RFC 6265 cookie-octets: printable ASCII but space, `"`, `,`, `;` and `\`. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/**
 * The first `authToken` cookie's value, as browsers list the most specific
 * cookie first; null when there is none, or it is empty or `null` (what
 * Kuzzle's logout used to leave behind).
 *
 * @throws 401 `security.cookie.invalid` for a value a browser could not have
 *   stored (bytes outside cookie-octets, longer than any token: MAX_TOKEN_LENGTH).
 */
export function authTokenCookie(header: string): string | null {
  let from = 0;
  for (;;) {
    const at = header.indexOf(AUTH_COOKIE, from);
    if (at === -1) return null;
    from = at + AUTH_COOKIE.length;
    if (!startsPair(header, at)) continue;
    const equals = skipBlanks(header, from);
    if (header.charCodeAt(equals) !== 0x3d) continue;
    const end = header.indexOf(';', equals);
    let value = header.slice(equals + 1, end === -1 ? header.length : end).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value === '' || value === 'null') return null;
    if (value.length > MAX_TOKEN_LENGTH || !COOKIE_OCTETS.test(value)) throw new PluginError('security.cookie.invalid');
    return value;
  }
}

/** Whether the name at `at` begins a `name=value` pair: preceded by the start or `;`, blanks aside. */
function startsPair(header: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (header.charCodeAt(i) === 0x20 || header.charCodeAt(i) === 0x09)) i--;
  return i < 0 || header.charCodeAt(i) === 0x3b;
}

function skipBlanks(header: string, from: number): number {
  let i = from;
  while (header.charCodeAt(i) === 0x20 || header.charCodeAt(i) === 0x09) i++;
  return i;
}

/**
 * The `Set-Cookie` value carrying a token. Max-Age (which browsers prefer)
 * counts from the browser's own clock, so a skewed clock cannot keep the
 * cookie past its token; Expires is for the few clients without Max-Age.
 * Rounded down: the cookie never outlives the token.
 */
export function sessionCookie(jwt: string, expiresAt: number, secure: boolean, now = Date.now()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return `${AUTH_COOKIE}=${jwt}; Path=/; Expires=${new Date(expiresAt).toUTCString()}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The `Set-Cookie` value that removes the cookie (same name, path and attributes, already expired). */
export function clearedSessionCookie(secure: boolean): string {
  return `${AUTH_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Whether the cookie set on this request's answer gets `Secure`. */
export function cookieIsSecure(mode: CookieSecure, https: boolean): boolean {
  return mode === 'always' || (mode === 'auto' && https);
}
