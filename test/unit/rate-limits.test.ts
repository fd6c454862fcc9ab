/**
 * Profiles' rateLimit: how a user's limit follows from its profiles
 * (Rights.rateLimit) and how requests are counted per second (RequestRate),
 * with an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { RequestRate } from '../../kernel/security/request-rate.js';
import { Rights } from '../../kernel/security/rights.js';

describe('Rights.rateLimit', () => {
  const rights = new Rights({}, { a: [], b: [], open: [], anonymous: [] }, { a: 5, b: 20, open: 0 });

  it('takes the most permissive profile, 0 (no limit) being the most permissive', () => {
    expect(rights.rateLimit(['a'])).toBe(5);
    expect(rights.rateLimit(['a', 'b'])).toBe(20);
    expect(rights.rateLimit(['b', 'open', 'a'])).toBe(0);
  });

  it('counts a profile without a limit (or unknown) as none', () => {
    expect(rights.rateLimit(['anonymous'])).toBe(0);
    expect(rights.rateLimit(['ghost'])).toBe(0);
    expect(rights.rateLimit([])).toBe(0);
  });

  it('gives a frozen list the same answer from its cache', () => {
    const list = Object.freeze(['a']);
    expect(rights.rateLimit(list)).toBe(5);
    expect(rights.rateLimit(list)).toBe(5);
  });
});

describe('RequestRate', () => {
  it('admits `limit` requests per caller per second, then refuses, and starts afresh the next second', () => {
    let now = 10_000;
    const rate = new RequestRate(() => now);
    for (let i = 0; i < 3; i++) expect(rate.admit('ada', 3)).toBe(true);
    expect(rate.admit('ada', 3)).toBe(false);
    expect(rate.admit('bob', 3)).toBe(true);
    now += 999;
    expect(rate.admit('ada', 3)).toBe(false);
    now += 1;
    expect(rate.admit('ada', 3)).toBe(true);
  });
});
