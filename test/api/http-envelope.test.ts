/**
 * The HTTP layer as Kuzzle clients rely on it: the envelope on success and
 * error, request ids and volatile data echoed, JSON on every answer, CORS,
 * body limits and parsing, query-string arguments, the token as a `jwt`
 * argument, and `POST /_query`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';

/** Small, so a test can go over it cheaply (the config floor is 1024). */
const MAX_REQUEST_BYTES = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the HTTP envelope', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ config: { maxRequestBytes: MAX_REQUEST_BYTES } });
    admin = await k.firstAdmin();
    await k.createUser(admin, 'alice');
  });
  afterAll(() => k.stop());

  /** A raw request through the app, for what `call` does not send (other content types, streams). */
  const raw = async (path: string, init: RequestInit = {}) => {
    const response = await k.kernel.app.request(path, init);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  describe('envelope', () => {
    it('wraps a success: generated requestId, no error, the action, the result', async () => {
      const first = await k.call('GET', '/_now');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        requestId: expect.stringMatching(UUID),
        status: 200,
        error: null,
        controller: 'server',
        action: 'now',
        collection: null,
        index: null,
        volatile: null,
        headers: {},
        node: expect.stringMatching(/^knode-/),
        result: { now: expect.any(Number) },
      });
      const second = await k.call('GET', '/_now');
      expect(second.body.requestId).not.toBe(first.body.requestId);
    });

    it('wraps an error: the error id, code, message, status and props; result null; no stack', async () => {
      const answer = await k.call('GET', '/_me', { jwt: 'kauth-not.a.token' });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ status: 401, controller: 'auth', action: 'getCurrentUser', result: null, requestId: expect.stringMatching(UUID) });
      expect(answer.body.error).toEqual({ id: 'security.token.invalid', code: expect.any(Number), message: expect.any(String), status: 401, props: expect.any(Array) });
    });

    it("echoes the client's requestId argument or X-Kuzzle-Request-Id header", async () => {
      expect((await k.call('GET', '/_now?requestId=my-request.1')).body.requestId).toBe('my-request.1');
      expect((await k.call('GET', '/_now', { headers: { 'x-kuzzle-request-id': 'from:header' } })).body.requestId).toBe('from:header');
      expect((await k.call('GET', '/_me', { jwt: 'bad', headers: { 'x-kuzzle-request-id': 'failed-1' } })).body).toMatchObject({ requestId: 'failed-1', status: 401 });
      // Not an id we would put in a log line: replaced.
      expect((await k.call('GET', `/_now?requestId=${encodeURIComponent('a b<script>')}`)).body.requestId).toMatch(UUID);
    });

    it('echoes X-Kuzzle-Volatile as volatile, on success and on error', async () => {
      const volatile = { sdkInstanceId: 'abc', nested: [1, true] };
      const headers = { 'x-kuzzle-volatile': JSON.stringify(volatile) };
      expect((await k.call('GET', '/_now', { headers })).body.volatile).toEqual(volatile);
      expect((await k.call('POST', '/_logout', { headers })).body).toMatchObject({ status: 401, volatile });
    });

    it('answers 400 network.http.volatile_parse_failed to a volatile header that is not JSON', async () => {
      const answer = await k.call('GET', '/_now', { headers: { 'x-kuzzle-volatile': '{not json' } });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ controller: 'server', action: 'now', result: null, error: { id: 'network.http.volatile_parse_failed' } });
    });

    it('answers an unknown URL with 404 network.http.url_not_found in the envelope', async () => {
      for (const [method, path] of [['GET', '/nowhere'], ['PATCH', '/_now'], ['DELETE', '/_login/local']] as const) {
        const answer = await k.call(method, path);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body).toMatchObject({ status: 404, result: null, requestId: expect.stringMatching(UUID), error: { id: 'network.http.url_not_found', status: 404 } });
      }
    });

    it('answers application/json every time: success, errors, 404s, 413s', async () => {
      const answers = [
        await raw('/_now'),
        await raw('/_me', { headers: { authorization: 'Bearer bad' } }),
        await raw('/no/such/route'),
        await raw('/_login/local', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
        await raw('/_login/local', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
        await raw('/_login/local', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(MAX_REQUEST_BYTES) }) }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 400, 400, 413]);
      for (const answer of answers) {
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(answer.text)).toHaveProperty('status', answer.status);
      }
    });
  });

  describe('CORS', () => {
    it('allows a preflight for the headers Kuzzle clients send', async () => {
      const answer = await raw('/_login/local', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, x-kuzzle-volatile' },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['content-type', 'authorization', 'x-kuzzle-volatile']));
    });

    it('marks a cross-origin answer as readable', async () => {
      const answer = await raw('/_now', { headers: { origin: 'https://app.example' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    });
  });

  describe('bodies', () => {
    it('answers 413 network.http.request_too_large to a body over MAX_REQUEST_BYTES, declared or streamed', async () => {
      const big = JSON.stringify({ token: 'x'.repeat(MAX_REQUEST_BYTES) });
      const declared = await k.call('POST', '/_checkToken', { body: big, headers: { 'content-length': String(big.length) } });
      expect(declared.status).toBe(413);
      expect(declared.body).toMatchObject({ status: 413, result: null, error: { id: 'network.http.request_too_large' } });
      // No Content-Length: the limit holds while reading the stream.
      const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
      const streamed = await raw('/_checkToken', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(JSON.parse(streamed.text).error.id).toBe('network.http.request_too_large');
      // Under the limit is served.
      expect((await k.call('POST', '/_checkToken', { body: { token: 'x'.repeat(MAX_REQUEST_BYTES / 2) } })).status).toBe(200);
    });

    it('answers 400 network.http.body_parse_failed to malformed JSON, or JSON that is not an object', async () => {
      for (const body of ['{"token": ', '[1, 2]', '"text"', '42']) {
        // A string body is sent as is, declared application/json.
        const answer = await k.call('POST', '/_checkToken', { body });
        expect(answer.status, body).toBe(400);
        expect(answer.body.error?.id, body).toBe('network.http.body_parse_failed');
      }
    });

    it('answers 400 network.http.unsupported_content to a body of another content type', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const answer = await raw('/_checkToken', { method: 'POST', headers: { 'content-type': type }, body: 'token=abc' });
        expect(answer.status, type).toBe(400);
        expect(JSON.parse(answer.text).error.id, type).toBe('network.http.unsupported_content');
      }
      const untyped = await raw('/_checkToken', { method: 'POST', body: new Uint8Array([123, 125]) });
      expect(JSON.parse(untyped.text).error.id).toBe('network.http.unsupported_content');
    });

    it('accepts an empty body with a JSON content type', async () => {
      const answer = await raw('/_checkToken', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).result).toEqual({ valid: true, kuid: '-1', expiresAt: null });
    });
  });

  describe('query-string arguments', () => {
    it('ignores unknown arguments (the SDK sends `verb`)', async () => {
      const answer = await k.call('POST', '/_login/local?verb=POST&unknown=1&cookieAuth=false', { body: { username: 'alice', password: USER_PASSWORD } });
      expect(answer.status).toBe(200);
      expect(answer.body.result.jwt).toMatch(/^kauth-/);
    });

    it('reads a bare `?global` as true and `global=false` as false', async () => {
      const [first, second] = [await k.login('alice'), await k.login('alice')];
      expect((await k.call('POST', '/_logout?global=false', { jwt: first })).status).toBe(200);
      expect((await k.call('GET', '/_me', { jwt: second })).status).toBe(200);
      const third = await k.login('alice');
      expect((await k.call('POST', '/_logout?global', { jwt: second })).status).toBe(200);
      expect((await k.call('GET', '/_me', { jwt: third })).body.error?.id).toBe('security.token.invalid');
    });

    it('accepts the token as the `jwt` argument', async () => {
      const token = await k.login('alice');
      const answer = await k.call('GET', `/_me?jwt=${encodeURIComponent(token)}`);
      expect(answer.status).toBe(200);
      expect(answer.body.result._source.profileIds).toEqual(['default']);
      expect((await k.call('GET', '/_me?jwt=kauth-bad')).body.error?.id).toBe('security.token.invalid');
    });
  });

  describe('POST /_query', () => {
    it('runs a whole request: controller, action, body, jwt and arguments', async () => {
      const login = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'login', strategy: 'local', expiresIn: '1m', body: { username: 'alice', password: USER_PASSWORD } } });
      expect(login.body).toMatchObject({ status: 200, controller: 'auth', action: 'login', result: { jwt: expect.stringMatching(/^kauth-/), ttl: 60_000 } });
      const jwt = login.body.result.jwt as string;
      const me = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser', jwt } });
      expect(me.body).toMatchObject({ status: 200, result: { _id: login.body.result._id } });
      const check = await k.call('POST', '/_query', { body: { controller: 'auth', action: 'checkToken', body: { token: jwt } } });
      expect(check.body.result).toMatchObject({ valid: true, kuid: login.body.result._id });
      expect((await k.call('POST', '/_query', { body: { controller: 'auth', action: 'logout', jwt } })).body.result).toEqual({ acknowledged: true });
      expect((await k.call('POST', '/_query', { body: { controller: 'auth', action: 'getCurrentUser', jwt } })).body.error?.id).toBe('security.token.invalid');
    });

    it('answers 404 api.process.controller_not_found or action_not_found', async () => {
      const controller = await k.call('POST', '/_query', { body: { controller: 'nope', action: 'now' } });
      expect(controller.status).toBe(404);
      expect(controller.body).toMatchObject({ status: 404, result: null, error: { id: 'api.process.controller_not_found' } });
      const action = await k.call('POST', '/_query', { body: { controller: 'server', action: 'nope' } });
      expect(action.status).toBe(404);
      expect(action.body.error?.id).toBe('api.process.action_not_found');
      // Own actions only: a name every object has is not an action.
      expect((await k.call('POST', '/_query', { body: { controller: 'server', action: 'constructor' } })).body.error?.id).toBe('api.process.action_not_found');
      expect((await k.call('POST', '/_query', { body: { action: 'now' } })).body.error?.id).toBe('api.process.controller_not_found');
    });
  });
});
