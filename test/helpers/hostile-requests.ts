/**
 * fast-check generators of hostile HTTP requests: routes of the kernel's own
 * route table with random parameters and random paths, any method, headers
 * (Authorization with real, near-valid and random tokens, the authToken
 * cookie, x-kuzzle-volatile, content types), query strings, and bodies
 * (random JSON, shaped like the real ones, malformed, random bytes, deep,
 * huge). Made from what a test kernel holds (`Ammunition`), so the requests
 * reach real users, tokens and actions as well as nonsense.
 */
import fc from 'fast-check';
import { b64, partsOf } from './jwt.js';

export interface HostileRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface Ammunition {
  /** Every route of the kernel, as `GET /_publicApi` lists them (`/users/:_id`). */
  routes: ReadonlyArray<{ verb: string; url: string }>;
  /** Controller -> its actions, for `POST /_query` bodies. */
  actions: Readonly<Record<string, readonly string[]>>;
  /** Real tokens and API keys, to send as they are and to mutate. */
  tokens: readonly string[];
  /** Real usernames, kuids, strategy names, API key ids. */
  names: readonly string[];
  passwords: readonly string[];
  /** Usernames with their passwords, for logins that succeed. */
  accounts: ReadonlyArray<readonly [string, string]>;
  /** MAX_REQUEST_BYTES of the kernel under test. */
  maxRequestBytes: number;
}

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
/** Methods that carry a body (fetch refuses one on GET and HEAD). */
export const BODY_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH'] as const;

const char = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));
/** What a header value may hold: printable ASCII and Latin-1 (fetch refuses control characters and code points over 0xFF). */
const headerText = (maxLength = 64) => fc.string({ unit: fc.oneof(char(0x20, 0x7e), char(0xa0, 0xff)), maxLength });
const ascii = (maxLength = 32) => fc.string({ unit: char(0x21, 0x7e), maxLength });
/** Strings the kernel might choke on: prototype names, path tricks, numbers JSON cannot hold, bad escapes. */
const TRICKY = ['__proto__', 'constructor', 'prototype', 'toString', '..', '.', '%', '%zz', '%00', '%2F', '%2e%2e', '%C0%AF', '%uD800', '-1', '0', '1e309', 'NaN', '-0', 'null', 'true', '_me', '_search', '_create', 'local', 'admin', ' ', ''];
const numberish = fc.constantFrom('-1', '0', '1', '10', '1001', '10000', '1e3', '1h', '2d', '-5', '99999999999999999999', '0x10', '1.5', 'Infinity');

/** A real token changed a little: the forgeries a client can make without the secret. */
function nearValid(tokens: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('flip', 'truncate', 'append', 'prefix', 'none', 'swap', 'upper', 'space')).map(([token, at, how]) => {
    const prefix = token.startsWith('kapikey-') ? 'kapikey-' : 'kauth-';
    const [header, payload, signature] = partsOf(token, prefix);
    const i = at % token.length;
    switch (how) {
      case 'flip':
        return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      case 'truncate':
        return token.slice(0, i);
      case 'append':
        return `${token}${'.x='[at % 3]}`;
      case 'prefix':
        return (prefix === 'kauth-' ? 'kapikey-' : 'kauth-') + token.slice(prefix.length);
      case 'none':
        return `${prefix}${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      case 'swap':
        return `${prefix}${header}.${b64({ _id: 'admin', jti: 'x', exp: 4_000_000_000 })}.${signature}`;
      case 'upper':
        return token.toUpperCase();
      case 'space':
        return `${token.slice(0, i)} ${token.slice(i)}`;
    }
  });
}

/** A token to send: a real one (often), a near-valid forgery, or junk; `long` adds ones past the 2048-character cap. */
export function tokenish(ammo: Ammunition, long = false): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ammo.tokens), weight: 24 },
    { arbitrary: nearValid(ammo.tokens), weight: 4 },
    { arbitrary: ascii(), weight: 1 },
    { arbitrary: ascii().map((s) => `kauth-${s}`), weight: 1 },
    { arbitrary: ascii().map((s) => `kapikey-${s}.${s}.${s}`), weight: 1 },
    { arbitrary: fc.integer({ min: 2000, max: 5000 }).map((n) => `kauth-${'A'.repeat(n)}`), weight: long ? 1 : 0 },
  );
}

/** A path segment: a real name, a tricky one, or random characters (percent-encoded or not). */
function segment(ammo: Ammunition): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ammo.names), weight: 5 },
    { arbitrary: fc.constantFrom(...TRICKY), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent), weight: 2 },
    // Raw, but never a character that ends the segment: `/`, `\\` (a `/` to the URL parser), `?`, `#`.
    { arbitrary: ascii(20).map((s) => s.replace(/[/\\?#]/g, '_')), weight: 2 },
    { arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)), weight: 1 },
  );
}

/** A route's parameter: a `:strategy` is mostly `local`, the one strategy there is, so that requests reach the plugin. */
function parameter(ammo: Ammunition, name: string): fc.Arbitrary<string> {
  return name === ':strategy' ? fc.oneof({ arbitrary: fc.constant('local'), weight: 3 }, { arbitrary: segment(ammo), weight: 1 }) : segment(ammo);
}

/** A route of the table with random parameters (usually its own verb), or a random path. */
export function routeAndMethod(ammo: Ammunition): fc.Arbitrary<{ method: string; path: string; known: boolean }> {
  const known = fc
    .constantFrom(...ammo.routes)
    .chain((route) => {
      const params = route.url.split('/').filter((part) => part.startsWith(':'));
      const method = fc.oneof({ arbitrary: fc.constant(route.verb.toUpperCase()), weight: 15 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 });
      return fc.tuple(method, fc.tuple(...params.map((name) => parameter(ammo, name)))).map(([m, values]) => {
        let i = 0;
        return { method: m, path: route.url.replace(/:[^/]+/g, () => values[i++]!), known: true };
      });
    });
  const random = fc.tuple(fc.constantFrom(...METHODS), fc.array(segment(ammo), { maxLength: 5 })).map(([method, parts]) => ({ method, path: `/${parts.join('/')}`, known: false }));
  return fc.oneof({ arbitrary: known, weight: 15 }, { arbitrary: random, weight: 1 });
}

const ARGS = ['jwt', 'requestId', 'expiresIn', 'cookieAuth', 'global', 'from', 'size', 'scroll', 'refresh', '_id', 'strategy', 'kuid', 'singleUse', 'reset', 'username', 'password', 'email', 'login', 'verb', 'force', 'scrollId', 'userId', 'sort'];

export function queryString(ammo: Ammunition): fc.Arbitrary<string> {
  const key = fc.oneof({ arbitrary: fc.constantFrom(...ARGS), weight: 4 }, { arbitrary: fc.constantFrom(...TRICKY), weight: 1 }, { arbitrary: ascii(10), weight: 1 });
  const value = fc.oneof(fc.constant(''), numberish, fc.constantFrom(...ammo.names), fc.string({ unit: 'binary', maxLength: 30 }));
  // Secrets only where they are credentials (`jwt`, `password`): elsewhere one may be kept as the client's data (login-identifier, audit log).
  const secret = fc.oneof(tokenish(ammo, true).map((t) => ['jwt', t] as const), fc.constantFrom(...ammo.passwords).map((p) => ['password', p] as const));
  const pair = fc
    .oneof({ arbitrary: fc.tuple(key, value), weight: 4 }, { arbitrary: secret, weight: 1 })
    .chain(([k, v]) => fc.boolean().map((bare) => (bare && v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)));
  const junk = fc.constantFrom('&&', '=', '==x', '%', '%zz=1', 'a=%ZZ', '&=&', 'global&global=false');
  return fc.array(fc.oneof({ arbitrary: pair, weight: 5 }, { arbitrary: junk, weight: 1 }), { maxLength: 5 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.join('&')}`));
}

/** Present now and then: `weight` in `absent + weight` requests. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, absent: number, weight = 1) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary, weight });

/**
 * Headers, each hostile now and then only: were they all hostile at once,
 * nearly every request would stop at the first check (a bad volatile header,
 * a bad token) and never reach an action.
 */
export function hostileHeaders(ammo: Ammunition): fc.Arbitrary<Record<string, string>> {
  const token = tokenish(ammo, true);
  const deep = fc.integer({ min: 60, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
  const named = fc.record({
    authorization: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 2 },
      { arbitrary: token.map((t) => `Bearer ${t}`), weight: 20 },
      { arbitrary: fc.oneof(token, fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer  x  y'), headerText()), weight: 1 },
    ),
    cookie: sometimes(
      fc.oneof(
        token.map((t) => `authToken=${t}`),
        token.map((t) => `a=b; authToken=${t}; authToken=other`),
        fc.constantFrom('authToken=null', 'authToken=', 'authToken="x"', 'authToken=a b', '=;=;', `authToken=${'x'.repeat(5000)}`),
        headerText(),
      ),
      8,
    ),
    'x-kuzzle-volatile': fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 15 },
      { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 4 },
      { arbitrary: fc.oneof(headerText(), deep), weight: 1 },
    ),
    'content-type': fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 18 },
      { arbitrary: fc.constantFrom(undefined, 'APPLICATION/JSON', 'text/plain', '', 'application/jsonx', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'), weight: 1 },
      { arbitrary: headerText(30), weight: 1 },
    ),
    'x-kuzzle-request-id': sometimes(headerText(), 3),
    origin: sometimes(fc.oneof(fc.constantFrom('https://app.example', 'null'), headerText()), 3),
    'x-forwarded-for': sometimes(fc.oneof(fc.constantFrom('127.0.0.1', '::1', '203.0.113.9, 10.0.0.1', '::ffff:10.0.0.1'), headerText()), 3),
  });
  const extra = fc.dictionary(ascii(12).map((s) => `x-${s.replace(/[^\w-]/g, 'a')}`), headerText(), { maxKeys: 2 });
  return fc.tuple(named, extra).map(([a, b]) => {
    const headers: Record<string, string> = { ...b };
    for (const [name, value] of Object.entries(a)) if (value !== undefined) headers[name] = value;
    return headers;
  });
}

/**
 * JSON values with the names of the kernel under test mixed in, and its
 * passwords and tokens unless `secrets` is false. Login identifiers
 * (`username`) and targets (`ids`, and `_id` or `userId` arguments) never
 * hold a secret: the audit log keeps them, even for a refused request, and
 * shows them to admins, so a secret sent there would come back as the
 * client's own data, not as a leak.
 */
function loadedJson(ammo: Ammunition, secrets = true): fc.Arbitrary<unknown> {
  const plain = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...ammo.names, ...TRICKY));
  const leaf = secrets ? fc.oneof(plain, fc.constantFrom(...ammo.passwords), tokenish(ammo)) : plain;
  const object = fc
    .tuple(fc.dictionary(fc.constantFrom('password', 'local', '__proto__', 'profileIds', 'controller', 'action'), leaf, { maxKeys: 4 }), fc.option(plain, { nil: undefined }))
    .map(([fields, username]) => (username === undefined ? fields : { ...fields, username }));
  return fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }), object);
}

/** Bodies shaped like the real ones (login, user creation, roles, searches, `/_query`), with hostile values. */
function shapedBody(ammo: Ammunition): fc.Arbitrary<Record<string, unknown>> {
  const value = loadedJson(ammo);
  const controller = fc.constantFrom(...Object.keys(ammo.actions));
  const query = controller.chain((c) => fc.record({ controller: fc.oneof(fc.constant(c), fc.constantFrom(...TRICKY)), action: fc.oneof(fc.constantFrom(...ammo.actions[c]!), fc.constantFrom(...TRICKY)) }));
  const fields = fc.record(
    {
      username: loadedJson(ammo, false), password: value, content: value, credentials: fc.record({ local: value }, { requiredKeys: [] }), body: value, jwt: tokenish(ammo), token: tokenish(ammo),
      profileIds: value, policies: value, controllers: value, description: value, query: value, ids: loadedJson(ammo, false), sort: value, currentPassword: value, newPassword: value,
    },
    { requiredKeys: [] },
  );
  return fc.tuple(fields, fc.option(query, { nil: undefined }), fc.dictionary(ascii(10), loadedJson(ammo, false), { maxKeys: 3 })).map(([f, q, extra]) => ({ ...extra, ...f, ...q }));
}

/** A body that is not a JSON object: broken, another JSON type, too deep. Never empty (that is valid). */
export function malformedJson(ammo: Ammunition): fc.Arbitrary<string> {
  const cut = fc.tuple(shapedBody(ammo).map((b) => JSON.stringify(b)), fc.nat()).map(([text, at]) => text.slice(0, 1 + (at % Math.max(1, text.length - 1))));
  const notObject = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.jsonValue())).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v));
  const deep = fc.integer({ min: 65, max: 5000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n));
  const junk = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), fc.constantFrom('{', '}', '{"a":1,}', "{'a':1}", '{"a":NaN}', '{"a":01}', '{"\\u00zz":1}', 'undefined', '\u0000', '{"a":1}{"b":2}'));
  return fc
    .oneof(cut, notObject, deep, junk)
    .filter((text) => text.trim() !== '' && Buffer.byteLength(text) <= ammo.maxRequestBytes && !isJsonObject(text));
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export function hostileBody(ammo: Ammunition): fc.Arbitrary<string | Uint8Array | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 5 },
    { arbitrary: shapedBody(ammo).map((b) => JSON.stringify(b)), weight: 20 },
    { arbitrary: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })).map((b) => JSON.stringify(b)), weight: 3 },
    { arbitrary: malformedJson(ammo), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 },
    { arbitrary: fc.integer({ min: 10, max: 200 }).map((n) => '{"a":'.repeat(n) + '{}' + '}'.repeat(n)), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 3 * ammo.maxRequestBytes }).map((n) => JSON.stringify({ username: 'é'.repeat(n / 2), password: 'x' })), weight: 1 },
  );
}

/**
 * A login, as credential stuffing sends them: real and wrong usernames and
 * passwords, in the body, the query string or a `/_query` request, with the
 * other parts as hostile as any.
 */
export function loginAttempt(ammo: Ammunition): fc.Arbitrary<HostileRequest> {
  const username = fc.oneof({ arbitrary: fc.constantFrom(...ammo.names), weight: 3 }, { arbitrary: fc.constantFrom(...TRICKY), weight: 1 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
  const password = fc.oneof({ arbitrary: fc.constantFrom(...ammo.passwords), weight: 3 }, { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 });
  const form = fc.constantFrom('body', 'query', '_query');
  const pair = fc.oneof(fc.constantFrom(...ammo.accounts), fc.tuple(username, password));
  return fc.tuple(form, pair, queryString(ammo), hostileHeaders(ammo)).map(([how, [u, p], query, headers]) => {
    const credentials = { username: u, password: p };
    if (how === 'query') {
      const args = new URLSearchParams({ username: u, password: typeof p === 'string' ? p : JSON.stringify(p) });
      return { method: 'GET', path: `/_login/local?${args}${query.replace('?', '&')}`, headers };
    }
    if (how === '_query') return { method: 'POST', path: `/_query${query}`, headers, body: JSON.stringify({ controller: 'auth', action: 'login', strategy: 'local', body: credentials }) };
    return { method: 'POST', path: `/_login/local${query}`, headers, body: JSON.stringify(credentials) };
  });
}

/** Any request: route, method, query string, headers and body; one in nine a login. */
export function hostileRequest(ammo: Ammunition): fc.Arbitrary<HostileRequest> {
  const any = fc.tuple(routeAndMethod(ammo), queryString(ammo), hostileHeaders(ammo), hostileBody(ammo)).map(([{ method, path }, query, headers, body]) => ({
    method,
    path: path + query,
    headers,
    ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }),
  }));
  return fc.oneof({ arbitrary: any, weight: 8 }, { arbitrary: loginAttempt(ammo), weight: 1 });
}

/** Sends a request through the app, as a client's bytes would arrive. */
export async function sendThrough(app: { request(path: string, init: RequestInit): Response | Promise<Response> }, request: HostileRequest) {
  const response = await app.request(request.path, { method: request.method, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
