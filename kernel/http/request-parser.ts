/**
 * Turns an HTTP request into an ApiRequest as Kuzzle reads one: path
 * parameters and query-string arguments (present = true) merged into
 * `args`, a JSON object body (empty is fine), and the token from
 * `Authorization: Bearer`, else the `jwt` argument.
 */
import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import type { ApiRequest } from '../api/action.js';
import { MAX_JSON_DEPTH, nestingDepth } from '../storage/json-limits.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Headers a plugin never sees: they carry the caller's session. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie']);

export type RequestBasics = Pick<ApiRequest, 'requestId' | 'jwt' | 'ip' | 'headers'>;

/** The parts of a request every route shares: its id, the token, the caller's address, headers. */
export function requestBasics(c: Context): RequestBasics {
  const supplied = c.req.query('requestId') ?? c.req.header('x-kuzzle-request-id');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.req.header())) {
    if (!PRIVATE_HEADERS.has(name)) headers[name] = value;
  }
  return {
    requestId: supplied !== undefined && REQUEST_ID.test(supplied) ? supplied : randomUUID(),
    jwt: bearerToken(c.req.header('authorization')) ?? nonEmpty(c.req.query('jwt')),
    ip: remoteAddress(c),
    headers,
  };
}

/** Query-string arguments: the last value of each; a bare `?flag` is true. `jwt` is not an argument. */
export function queryArgs(c: Context): Record<string, JsonValue> {
  const args: Record<string, JsonValue> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (name === 'jwt' || name === '__proto__') continue;
    const value = values.at(-1) ?? '';
    args[name] = value === '' ? true : value;
  }
  return args;
}

/**
 * The body as a JSON object, or null when empty. A body must be declared
 * `application/json`: it keeps other content types out, and with them
 * cross-site form posts that a browser sends without a CORS preflight.
 */
export async function jsonBody(c: Context): Promise<JsonObject | null> {
  // @hono/node-server drops a GET or HEAD body; reading it would build a full undici Request for nothing.
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return null;
  const text = await c.req.text();
  if (text.trim() === '') return null;
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new PluginError('network.http.unsupported_content', type.slice(0, 100));
  const parsed = parseJson(text, 'network.http.body_parse_failed');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PluginError('network.http.body_parse_failed', 'the body must be a JSON object');
  }
  return parsed as JsonObject;
}

/** `x-kuzzle-volatile`: echoed back as `volatile`; not JSON is Kuzzle's 400. */
export function volatileOf(c: Context): JsonValue {
  const header = c.req.header('x-kuzzle-volatile');
  if (header === undefined || header === '') return null;
  return parseJson(header, 'network.http.volatile_parse_failed') as JsonValue;
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
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // app.request() in tests has no socket.
    return null;
  }
}
