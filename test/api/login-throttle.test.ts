/**
 * Login throttling through the real app, with small limits and windows of
 * an hour (nothing is forgiven while a test runs): per (strategy,
 * identifier), per client address over a real socket, reset by a success,
 * X-Forwarded-For believed only from a trusted proxy, and a throttled
 * attempt answered without reaching the strategy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startApiKernel, USER_PASSWORD, type ApiBody, type ApiKernel } from '../helpers/api-kernel.js';

const HOUR = 3_600_000;
const WRONG = 'not the passphrase at all';
const LIMITS = { loginAccountFailures: 3, loginAccountWindowMs: HOUR, loginIpFailures: 5, loginIpWindowMs: HOUR };

describe('login throttling per identifier', () => {
  let k: ApiKernel;
  beforeAll(async () => {
    // app.request() has no socket, so no client address: only the identifier limit applies here.
    k = await startApiKernel({ config: LIMITS });
    const admin = await k.firstAdmin();
    for (const name of ['alice', 'bob', 'carol']) await k.createUser(admin, name);
  });
  afterAll(() => k.stop());

  const login = (username: string, password: string, path = '/_login/local') => k.call('POST', path, { body: { username, password } });

  it('answers 429 with Retry-After past the limit, even to the right password: the strategy is not asked', async () => {
    for (let i = 0; i < 3; i++) expect(errorOf(await login('alice', WRONG))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    const throttled = await login('alice', USER_PASSWORD);
    expect(errorOf(throttled)).toEqual({ status: 429, id: 'api.process.too_many_logins_requests' });
    // An hour for 3 failures: one is forgiven each 20 minutes.
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(1150);
    expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(1200);
    expect(throttled.headers.get('access-control-expose-headers')).toBe('Retry-After');
    expect(throttled.body.error?.message).toMatch(/retry in \d+ s/);
    // Other accounts are not affected.
    expect((await login('bob', USER_PASSWORD)).status).toBe(200);
  });

  it('counts the identifier trimmed, lower-cased, and in the query string of a GET login alike', async () => {
    await login(' Carol ', WRONG);
    await login('CAROL', WRONG);
    const query = new URLSearchParams({ username: 'carol', password: WRONG });
    expect((await k.call('GET', `/_login/local?${query}`)).status).toBe(401);
    expect(errorOf(await login('carol', USER_PASSWORD))).toEqual({ status: 429, id: 'api.process.too_many_logins_requests' });
  });

  it('forgets the failures of an identifier when it logs in', async () => {
    await k.createUser(await k.login('admin', 'correct horse battery staple'), 'dave');
    for (let i = 0; i < 2; i++) await login('dave', WRONG);
    expect((await login('dave', USER_PASSWORD)).status).toBe(200);
    // Without the reset, the second of these would be the fourth failure.
    for (let i = 0; i < 3; i++) expect(errorOf(await login('dave', WRONG))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await login('dave', WRONG)).status).toBe(429);
  });

  it('counts an identifier per strategy', async () => {
    for (let i = 0; i < 3; i++) await login('erin', WRONG);
    expect((await login('erin', WRONG)).status).toBe(429);
    // Another strategy name: not throttled (it does not exist, so it is a 400, and gives its attempt back).
    for (let i = 0; i < 5; i++) expect(errorOf(await login('erin', WRONG, '/_login/nope'))).toEqual({ status: 400, id: 'security.credentials.unknown_strategy' });
  });
});

/** A login over a real socket (client address 127.0.0.1), with extra headers. */
async function socketLogin(url: string, username: string, headers: Record<string, string> = {}): Promise<{ status: number; body: ApiBody; retryAfter: string | null }> {
  const answer = await fetch(`${url}/_login/local`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password: WRONG }) });
  return { status: answer.status, body: (await answer.json()) as ApiBody, retryAfter: answer.headers.get('retry-after') };
}

describe('login throttling per client address, without trusted proxies', () => {
  let k: ApiKernel;
  let url: string;
  beforeAll(async () => {
    k = await startApiKernel({ config: LIMITS });
    url = await k.kernel.listen();
  });
  afterAll(() => k.stop());

  it('answers 429 to an address past its limit whatever the identifiers, and ignores a spoofed X-Forwarded-For', async () => {
    for (let i = 0; i < 5; i++) expect((await socketLogin(url, `guess${i}`, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    const throttled = await socketLogin(url, 'fresh-name', { 'x-forwarded-for': '198.51.100.99' });
    expect(errorOf(throttled)).toEqual({ status: 429, id: 'api.process.too_many_logins_requests' });
    expect(Number(throttled.retryAfter)).toBeGreaterThan(0);
  });
});

describe('login throttling per client address, behind a trusted proxy', () => {
  let k: ApiKernel;
  let url: string;
  beforeAll(async () => {
    k = await startApiKernel({ config: { ...LIMITS, trustedProxies: ['127.0.0.1'] } });
    url = await k.kernel.listen();
  });
  afterAll(() => k.stop());

  it('counts the address the proxy forwarded', async () => {
    for (let i = 0; i < 5; i++) expect((await socketLogin(url, `spray${i}`, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(401);
    expect((await socketLogin(url, 'spray-next', { 'x-forwarded-for': '203.0.113.10' })).status).toBe(429);
    // Another client behind the same proxy is not throttled.
    expect((await socketLogin(url, 'spray-next', { 'x-forwarded-for': '203.0.113.11' })).status).toBe(401);
  });

  it('ignores what the client wrote left of the address the proxy appended', async () => {
    for (let i = 0; i < 5; i++) expect((await socketLogin(url, `rotate${i}`, { 'x-forwarded-for': `6.6.6.${i}, 203.0.113.20` })).status).toBe(401);
    expect((await socketLogin(url, 'rotate-next', { 'x-forwarded-for': '6.6.6.99, 203.0.113.20' })).status).toBe(429);
  });

  it('counts an IPv6 client per /64', async () => {
    for (let i = 0; i < 5; i++) expect((await socketLogin(url, `six${i}`, { 'x-forwarded-for': `2001:db8:5:5::${i + 1}` })).status).toBe(401);
    expect((await socketLogin(url, 'six-next', { 'x-forwarded-for': '2001:db8:5:5:ffff::1' })).status).toBe(429);
  });
});
