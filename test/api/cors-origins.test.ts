/**
 * CORS headers on every kind of answer, for a list of origins and for `*`:
 * successes, errors raised by the pipeline, 404s, 413s and preflights.
 * Credentials (cookie mode) are allowed to a listed origin, never with `*`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

const ALLOWED = 'https://app.example';

describe.each([
  { origins: [ALLOWED], expected: ALLOWED, vary: true, credentials: 'true' },
  { origins: '*' as const, expected: '*', vary: false, credentials: null },
])('CORS with origins $origins', ({ origins, expected, vary, credentials }) => {
  let k: ApiKernel;
  beforeAll(async () => {
    k = await startApiKernel({ config: { corsOrigins: origins, maxRequestBytes: 1024 } });
  });
  afterAll(() => k.stop());

  const request = (path: string, init: RequestInit = {}) => k.kernel.app.request(path, { ...init, headers: { origin: ALLOWED, ...init.headers } });

  it.each([
    ['a success', () => request('/_now'), 200],
    ['a pipeline error', () => request('/_now', { headers: { authorization: 'Bearer kauth-nope' } }), 401],
    ['a 404', () => request('/no/such/route'), 404],
    ['a 413', () => request('/_login/local', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x'.repeat(2000) }) }), 413],
    ['a body error', () => request('/_login/local', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }), 400],
  ])('%s carries the allowed origin', async (_name, send, status) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.headers.get('access-control-allow-origin')).toBe(expected);
    expect(answer.headers.get('access-control-allow-credentials')).toBe(credentials);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    if (vary) expect(answer.headers.get('vary')).toContain('Origin');
    else expect(answer.headers.get('vary') ?? '').not.toContain('Origin');
  });

  it('leaves out an origin not in the list', async () => {
    const answer = await k.kernel.app.request('/_now', { headers: { origin: 'https://evil.example' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(vary ? null : '*');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers a preflight', async () => {
    const answer = await request('/_login/local', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(expected);
    expect(answer.headers.get('access-control-allow-credentials')).toBe(credentials);
    expect(answer.headers.get('access-control-max-age')).toBe('600');
  });
});
