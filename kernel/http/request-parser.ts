/**
 * Turns an HTTP request into an ApiRequest as Kuzzle reads one: path
 * parameters and query-string arguments (present = true) merged into
 * `args`, a JSON object body (empty is fine), and the token from
 * `Authorization: Bearer`, else the `jwt` argument (the `authToken` cookie
 * is kept as the raw `Cookie` header, for the pipeline to read).
 */
import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import type { ApiRequest } from '../api/action.js';
import { MAX_JSON_DEPTH, nestingDepth } from '../storage/json-limits.js';
import { clientAddress, forwardedHttps, type TrustedProxies } from './client-address.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Headers a plugin never sees: they carry the caller's session. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie']);

export type RequestBasics = Pick<ApiRequest, 'requestId' | 'jwt' | 'cookies' | 'ip' | 'https' | 'headers'>;

/**
 * The parts of a request every route shares: its id, the token, the
 * cookies, the caller's address, headers.
 *
 * @param proxies whose forwarding headers are believed (TRUSTED_PROXIES); null for none.
 */
export function requestBasics(c: Context, proxies: TrustedProxies | null): RequestBasics {
  const query = hasQuery(c);
  const supplied = (query ? c.req.query('requestId') : undefined) ?? header(c, 'x-kuzzle-request-id');
  const requestId = supplied !== undefined && REQUEST_ID.test(supplied) ? supplied : randomUUID();
  const jwt = bearerToken(header(c, 'authorization')) ?? (query ? nonEmpty(c.req.query('jwt')) : null);
  return new HttpRequestBasics(c, requestId, jwt, header(c, 'cookie') ?? null, proxies);
}

/**
 * Whether the URL has a query string (hono looks for `?` from index 8, past
 * `https://`). Most requests have none: then hono's query readers, which
 * each scan the URL again, are not called at all (with path parameters read
 * only where a path has some, 21.7 -> 21.0 µs of CPU per authenticated GET,
 * bench/requests).
 */
function hasQuery(c: Context): boolean {
  return c.req.url.indexOf('?', 8) !== -1;
}

/**
 * One object per request, that the route then completes in place
 * (Object.assign, never a spread, which would drop the getters): `headers`,
 * `ip` and `https` are computed on first read, and only requests bound for
 * a plugin, a login or a cookie read them (an authenticated GET reads
 * none: no socket address, no X-Forwarded-For parsing). A class, not an
 * object literal with a getter: V8 makes such a literal a dictionary-mode
 * object, every property read a hash lookup; that version cost 49 µs of
 * CPU per authenticated GET instead of 26, its scavenges 5x longer
 * (bench/requests).
 */
class HttpRequestBasics implements RequestBasics {
  readonly #c: Context;
  readonly #proxies: TrustedProxies | null;
  #headers: Record<string, string> | undefined;
  #ip: string | null | undefined;

  constructor(
    c: Context,
    readonly requestId: string,
    public jwt: string | null,
    readonly cookies: string | null,
    proxies: TrustedProxies | null,
  ) {
    this.#c = c;
    this.#proxies = proxies;
  }

  get headers(): Record<string, string> {
    return (this.#headers ??= publicHeaders(this.#c));
  }

  get ip(): string | null {
    if (this.#ip === undefined) {
      // X-Forwarded-For is not even read without trusted proxies.
      this.#ip = clientAddress(remoteAddress(this.#c), this.#proxies === null ? undefined : header(this.#c, 'x-forwarded-for'), this.#proxies);
    }
    return this.#ip;
  }

  get https(): boolean {
    const c = this.#c;
    const proto = this.#proxies === null ? undefined : header(c, 'x-forwarded-proto');
    return forwardedHttps(isEncrypted(c), remoteAddress(c), proto, this.#proxies);
  }
}

/**
 * One request header, as hono's `c.req.header(name)` answers it (repeated
 * headers joined with ", ", Cookie headers with "; ", where node's
 * `incoming.headers` keeps the first Authorization). Under @hono/node-server it is read from node's raw header
 * list: hono's reader first copies every header into an undici Headers.
 * With the lazy `headers` above, an authenticated GET went from 42 to 26 µs
 * of CPU (bench/requests).
 */
export function header(
  c: Context,
  name: 'authorization' | 'cookie' | 'origin' | 'content-type' | 'x-kuzzle-request-id' | 'x-kuzzle-volatile' | 'x-forwarded-for' | 'x-forwarded-proto',
): string | undefined {
  const raw = nodeRequest(c)?.rawHeaders;
  // app.request() (tests) has no node request.
  if (raw === undefined) return c.req.header(name);
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) value = value === undefined ? raw[i + 1] : `${value}${name === 'cookie' ? '; ' : ', '}${raw[i + 1]}`;
  }
  return value;
}

/** Every header but the session's, lower-cased, for plugins. */
function publicHeaders(c: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.req.header())) {
    if (!PRIVATE_HEADERS.has(name)) headers[name] = value;
  }
  return headers;
}

function nodeRequest(c: Context): HttpBindings['incoming'] | undefined {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming;
}

/** Query-string arguments: the last value of each; a bare `?flag` is true. `jwt` is not an argument. */
export function queryArgs(c: Context): Record<string, JsonValue> {
  const args: Record<string, JsonValue> = {};
  if (!hasQuery(c)) return args;
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (name === 'jwt' || name === '__proto__') continue;
    const value = values.at(-1) ?? '';
    args[name] = value === '' ? true : value;
  }
  return args;
}

/**
 * The body (read by request-body.ts) as a JSON object, or null when empty. A
 * body must be declared `application/json`: it keeps other content types
 * out, and with them cross-site form posts that a browser sends without a
 * CORS preflight.
 */
export function jsonBody(c: Context, text: string): JsonObject | null {
  if (text.trim() === '') return null;
  const type = header(c, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new PluginError('network.http.unsupported_content', type.slice(0, 100));
  const parsed = parseJson(text, 'network.http.body_parse_failed');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PluginError('network.http.body_parse_failed', 'the body must be a JSON object');
  }
  return parsed as JsonObject;
}

/** `x-kuzzle-volatile`: echoed back as `volatile`; not JSON is Kuzzle's 400. */
export function volatileOf(c: Context): JsonValue {
  const volatile = header(c, 'x-kuzzle-volatile');
  if (volatile === undefined || volatile === '') return null;
  return parseJson(volatile, 'network.http.volatile_parse_failed') as JsonValue;
}

/** JSON.parse, refusing nesting deeper than {@link MAX_JSON_DEPTH} before parsing. */
function parseJson(text: string, errorId: 'network.http.body_parse_failed' | 'network.http.volatile_parse_failed'): unknown {
  if (nestingDepth(text) > MAX_JSON_DEPTH) throw new PluginError(errorId, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PluginError(errorId, (error as Error).message.slice(0, 200));
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function remoteAddress(c: Context): string | null {
  // app.request() in tests has no socket.
  return nodeRequest(c)?.socket.remoteAddress ?? null;
}

/** A TLS socket (the kernel serves plain HTTP today; this holds if it is ever given a TLS server). */
function isEncrypted(c: Context): boolean {
  return (nodeRequest(c)?.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
}
