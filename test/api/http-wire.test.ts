/**
 * The HTTP answers as bytes on a real socket, through @hono/node-server as
 * users reach the kernel: the headers the fast path writes itself (CORS,
 * content type) in the order and case hono's c.json() wrote them, request
 * headers read from node's raw list as hono read them, and the body limit
 * where it was when it was a middleware of every path.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

const ALLOWED = 'https://app.example';

interface RawAnswer {
  status: number;
  /** Header names as written, in order. */
  names: string[];
  header(name: string): string | undefined;
  body: string;
}

/** One request on its own connection, written as given; `Connection: close` so the answer ends with the socket. */
function send(port: number, method: string, path: string, headers: Array<[string, string]>, body = ''): Promise<RawAnswer> {
  const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...headers.map(([name, value]) => `${name}: ${value}`)];
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head.join('\r\n')}\r\n\r\n${body}`));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [top = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = top.split('\r\n');
      const pairs = lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as const);
      resolve({
        status: Number(statusLine.split(' ')[1]),
        names: pairs.map(([name]) => name),
        header: (name) => pairs.find(([key]) => key.toLowerCase() === name)?.[1],
        body: rest.join('\r\n\r\n'),
      });
    });
  });
}

const json = (body: Record<string, unknown>): Array<[string, string]> => [
  ['Content-Type', 'application/json'],
  ['Content-Length', String(Buffer.byteLength(JSON.stringify(body)))],
];

describe('HTTP answers on the wire, CORS origins *', () => {
  let k: ApiKernel;
  let port: number;
  let jwt: string;
  beforeAll(async () => {
    k = await startApiKernel({ config: { maxRequestBytes: 1024 } });
    port = Number(new URL(await k.kernel.listen()).port);
    jwt = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  it('answers an authenticated GET with the headers c.json() wrote: lower-case CORS, then application/json without a charset', async () => {
    const answer = await send(port, 'GET', '/_now', [['Authorization', `Bearer ${jwt}`]]);
    expect(answer.status).toBe(200);
    expect(answer.names.slice(0, 3)).toEqual(['access-control-allow-origin', 'content-type', 'Content-Length']);
    expect(answer.header('access-control-allow-origin')).toBe('*');
    expect(answer.header('content-type')).toBe('application/json');
    expect(Number(answer.header('content-length'))).toBe(Buffer.byteLength(answer.body));
  });

  it('writes the envelope as compact JSON with its keys in Kuzzle order', async () => {
    const answer = await send(port, 'GET', '/_now', [['Authorization', `Bearer ${jwt}`]]);
    const envelope = JSON.parse(answer.body) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(['requestId', 'status', 'error', 'controller', 'action', 'collection', 'index', 'volatile', 'headers', 'node', 'result']);
    expect(JSON.stringify(envelope)).toBe(answer.body);
    expect(envelope).toMatchObject({ status: 200, error: null, controller: 'server', action: 'now', volatile: null, headers: {} });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const answer = await send(port, 'HEAD', '/_now', [['Authorization', `Bearer ${jwt}`]]);
    expect(answer.status).toBe(200);
    expect(answer.names.slice(0, 2)).toEqual(['access-control-allow-origin', 'content-type']);
    expect(answer.body).toBe('');
  });

  it('reads X-Kuzzle-Request-Id and X-Kuzzle-Volatile whatever their case', async () => {
    const answer = await send(port, 'GET', '/_now', [
      ['X-KUZZLE-REQUEST-ID', 'wire.1'],
      ['x-Kuzzle-Volatile', '{"from":"wire"}'],
    ]);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 200, requestId: 'wire.1', volatile: { from: 'wire' } });
  });

  it('takes a repeated Authorization header as one joined value, not a token, as hono read it (node keeps only the first)', async () => {
    const once = await send(port, 'GET', '/users/admin', [['Authorization', `Bearer ${jwt}`]]);
    expect(once.status).toBe(200);
    const twice = await send(port, 'GET', '/users/admin', [
      ['Authorization', `Bearer ${jwt}`],
      ['authorization', `Bearer ${jwt}`],
    ]);
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body)).toMatchObject({ error: { id: 'security.rights.unauthorized' } });
  });

  it('answers 413 to an oversized body for an unknown URL or method, declared or streamed, as the limit on every path did', async () => {
    const big = 'x'.repeat(2000);
    const declared = await send(port, 'POST', '/no/such', [['Content-Length', String(big.length)]], big);
    const streamed = await send(port, 'POST', '/no/such', [['Transfer-Encoding', 'chunked']], `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
    const otherMethod = await send(port, 'PROPFIND', '/_now', [['Content-Length', String(big.length)]], big);
    for (const answer of [declared, streamed, otherMethod]) {
      expect(answer.status).toBe(413);
      expect(answer.header('access-control-allow-origin')).toBe('*');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { id: 'network.http.request_too_large' } });
    }
  });

  it('answers 404 to a small body for an unknown URL, and 413 to an oversized one for a known route', async () => {
    expect((await send(port, 'PUT', '/no/such', json({}), '{}')).status).toBe(404);
    expect((await send(port, 'PROPFIND', '/_now', [])).status).toBe(404);
    const body = { username: 'x'.repeat(2000) };
    expect((await send(port, 'POST', '/_login/local', json(body), JSON.stringify(body))).status).toBe(413);
  });

  it('takes a client that hangs up mid-body quietly: no error logged, the kernel serves on', async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /_login/local HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"username":`);
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    // The hang-up reaches the kernel before this next connection's request does.
    expect((await send(port, 'GET', '/_now', [])).status).toBe(200);
    expect(k.logs().filter((line) => line.includes('unexpected'))).toEqual([]);
  });

  it('reads a body sent in chunks (node request read directly): a login in three chunks works, one past the limit is 413', async () => {
    const login = JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD });
    const parts = [login.slice(0, 5), login.slice(5, 20), login.slice(20)];
    const chunked = parts.map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`).join('') + '0\r\n\r\n';
    const ok = await send(port, 'POST', '/_login/local', [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], chunked);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).result.jwt).toMatch(/^kauth-/);
    const big = JSON.stringify({ username: 'x'.repeat(2000) });
    const tooBig = await send(port, 'POST', '/_login/local', [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`);
    expect(tooBig.status).toBe(413);
  });
});

describe('HTTP answers on the wire, a list of CORS origins', () => {
  let k: ApiKernel;
  let port: number;
  beforeAll(async () => {
    k = await startApiKernel({ config: { corsOrigins: [ALLOWED] } });
    port = Number(new URL(await k.kernel.listen()).port);
  });
  afterAll(() => k.stop());

  it('allows credentials to an allowed origin, names it, then the content type, then Vary: Origin', async () => {
    const answer = await send(port, 'GET', '/_now', [['Origin', ALLOWED]]);
    expect(answer.names.slice(0, 5)).toEqual(['access-control-allow-credentials', 'access-control-allow-origin', 'content-type', 'vary', 'Content-Length']);
    expect(answer.header('access-control-allow-credentials')).toBe('true');
    expect(answer.header('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.header('vary')).toBe('Origin');
  });

  it('leaves out an origin not in the list, and still varies on Origin', async () => {
    const answer = await send(port, 'GET', '/no/such', [['Origin', 'https://evil.example']]);
    expect(answer.status).toBe(404);
    expect(answer.names.slice(0, 3)).toEqual(['content-type', 'vary', 'Content-Length']);
  });

  it('answers a preflight on any path', async () => {
    const answer = await send(port, 'OPTIONS', '/no/such', [
      ['Origin', ALLOWED],
      ['Access-Control-Request-Method', 'GET'],
    ]);
    expect(answer.status).toBe(204);
    expect(answer.header('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.header('access-control-allow-credentials')).toBe('true');
    expect(answer.header('access-control-max-age')).toBe('600');
  });
});
