/**
 * Login throttling's bookkeeping, on a clock the test moves: which
 * identifier an attempt counts under, IPv6 /64s, what success, failure and
 * a void outcome do to each count, the 429 it answers, and its memory bound.
 */
import { describe, expect, it } from 'vitest';
import { ErrorWithHeaders } from '../../kernel/api/action.js';
import { LoginThrottle, loginIdentifier } from '../../kernel/api/login-throttle.js';
import { addressKey } from '../../kernel/http/client-address.js';

function clockedThrottle(settings: Partial<ConstructorParameters<typeof LoginThrottle>[0]> = {}, maxKeys?: number) {
  const clock = { now: 5_000_000 };
  const throttle = new LoginThrottle(
    { accountFailures: 3, accountWindowMs: 60_000, ipFailures: 5, ipWindowMs: 60_000, ...settings },
    { now: () => clock.now, ...(maxKeys === undefined ? {} : { maxKeys }) },
  );
  return { throttle, clock };
}

/** The 429 an admission throws, or null if admitted. */
function refusal(admit: () => unknown): { id: string; status: number; retryAfter: string | undefined } | null {
  try {
    admit();
    return null;
  } catch (error) {
    if (!(error instanceof ErrorWithHeaders)) throw error;
    return { id: error.id, status: error.status, retryAfter: error.headers['Retry-After'] };
  }
}

describe('loginIdentifier', () => {
  it.each([
    [{ username: '  Alice ' }, 'alice'],
    [{ email: 'Bob@Example.COM' }, 'bob@example.com'],
    [{ login: 'carol' }, 'carol'],
    [{ username: 'first', email: 'second' }, 'first'],
    [{ username: 42, email: 'second' }, 'second'],
    // NFKC, as the local plugin compares usernames: fullwidth letters are the same account.
    [{ username: 'ＡＬＩＣＥ' }, 'alice'],
    [{ username: '   ' }, null],
    [{ password: 'x' }, null],
    [null, null],
  ] as const)('%j -> %j', (body, expected) => {
    expect(loginIdentifier(body as never)).toBe(expected);
  });

  it('looks each field up in the body, then the query string (a login by GET)', () => {
    expect(loginIdentifier(null, { username: 'Alice' })).toBe('alice');
    expect(loginIdentifier({ email: 'decoy@example.com' }, { username: 'alice' })).toBe('alice');
    expect(loginIdentifier({ username: 'body' }, { username: 'query' })).toBe('body');
    expect(loginIdentifier({}, { cookieAuth: true })).toBeNull();
  });

  it('cuts a huge identifier before normalising it', () => {
    expect(loginIdentifier({ username: 'A'.repeat(1_000_000) })).toBe('a'.repeat(1024));
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::203.0.113.7', '64:ff9b:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});

describe('LoginThrottle', () => {
  it('refuses the identifier past its limit with 429 and Retry-After in whole seconds', () => {
    const { throttle, clock } = clockedThrottle();
    for (let i = 0; i < 3; i++) throttle.admit('203.0.113.7', 'local', { username: 'alice' });
    expect(refusal(() => throttle.admit('198.51.100.1', 'local', { username: 'ALICE' }))).toEqual({ id: 'api.process.too_many_logins_requests', status: 429, retryAfter: '20' });
    clock.now += 19_500;
    expect(refusal(() => throttle.admit('198.51.100.1', 'local', { username: 'alice' }))?.retryAfter).toBe('1');
    clock.now += 500;
    expect(refusal(() => throttle.admit('198.51.100.1', 'local', { username: 'alice' }))).toBeNull();
  });

  it('counts an identifier per strategy', () => {
    const { throttle } = clockedThrottle();
    for (let i = 0; i < 3; i++) throttle.admit(null, 'local', { username: 'alice' });
    expect(refusal(() => throttle.admit(null, 'ldap', { username: 'alice' }))).toBeNull();
  });

  it('refuses an address past its limit, whatever the identifiers', () => {
    const { throttle } = clockedThrottle();
    for (let i = 0; i < 5; i++) throttle.admit('203.0.113.7', 'local', { username: `user${i}` });
    expect(refusal(() => throttle.admit('203.0.113.7', 'local', { username: 'fresh' }))?.retryAfter).toBe('12');
    expect(refusal(() => throttle.admit('203.0.113.7', 'local', null))).not.toBeNull();
    expect(refusal(() => throttle.admit('203.0.113.8', 'local', { username: 'fresh' }))).toBeNull();
  });

  it('counts IPv6 clients per /64', () => {
    const { throttle } = clockedThrottle();
    for (let i = 0; i < 5; i++) throttle.admit(`2001:db8:1:2::${i + 1}`, 'local', null);
    expect(refusal(() => throttle.admit('2001:db8:1:2:ffff::9', 'local', null))).not.toBeNull();
    expect(refusal(() => throttle.admit('2001:db8:1:3::1', 'local', null))).toBeNull();
  });

  it("forgets the identifier's failures on success, but only gives the address its one attempt back", () => {
    const { throttle } = clockedThrottle();
    for (let i = 0; i < 2; i++) throttle.admit('203.0.113.7', 'local', { username: 'alice' });
    throttle.settle(throttle.admit('203.0.113.7', 'local', { username: 'alice' }), 'succeeded');
    for (let i = 0; i < 2; i++) throttle.admit('203.0.113.8', 'local', { username: 'alice' });
    // alice: 2 failures since the success; 203.0.113.7 still has its 2 failures (limit 5).
    expect(refusal(() => throttle.admit('203.0.113.9', 'local', { username: 'alice' }))).toBeNull();
    for (let i = 0; i < 3; i++) throttle.admit('203.0.113.7', 'local', { username: `other${i}` });
    expect(refusal(() => throttle.admit('203.0.113.7', 'local', { username: 'other9' }))).not.toBeNull();
  });

  it('gives both counts back for an attempt that was no verdict, and keeps a failure', () => {
    const { throttle } = clockedThrottle({ ipFailures: 1, accountFailures: 1 });
    throttle.settle(throttle.admit('203.0.113.7', 'local', { username: 'alice' }), 'void');
    const attempt = throttle.admit('203.0.113.7', 'local', { username: 'alice' });
    throttle.settle(attempt, 'failed');
    expect(refusal(() => throttle.admit('203.0.113.7', 'local', { username: 'bob' }))).not.toBeNull();
    expect(refusal(() => throttle.admit('198.51.100.1', 'local', { username: 'alice' }))).not.toBeNull();
  });

  it('does not count a refused attempt: waiting out the Retry-After is enough', () => {
    const { throttle, clock } = clockedThrottle();
    for (let i = 0; i < 3; i++) throttle.admit(null, 'local', { username: 'alice' });
    for (let i = 0; i < 100; i++) refusal(() => throttle.admit(null, 'local', { username: 'alice' }));
    clock.now += 20_000;
    expect(refusal(() => throttle.admit(null, 'local', { username: 'alice' }))).toBeNull();
  });

  it('turns a limit off at 0', () => {
    const { throttle } = clockedThrottle({ accountFailures: 0, ipFailures: 0 });
    for (let i = 0; i < 1000; i++) throttle.admit('203.0.113.7', 'local', { username: 'alice' });
    expect(refusal(() => throttle.admit('203.0.113.7', 'local', { username: 'alice' }))).toBeNull();
  });

  it('stays within its key bound when identifiers and addresses rotate', () => {
    const { throttle } = clockedThrottle({}, 100);
    for (let i = 0; i < 20_000; i++) throttle.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 'local', { username: `user${i}` });
    expect(throttle.keyCounts()).toEqual({ accounts: 100, ips: 100 });
    // The oldest were evicted: the first identifier and address count afresh.
    for (let i = 0; i < 3; i++) expect(refusal(() => throttle.admit('10.0.0.0', 'local', { username: 'user0' }))).toBeNull();
  });
});
