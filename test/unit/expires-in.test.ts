import { describe, expect, it } from 'vitest';
import { parseExpiresIn } from '../../kernel/tokens/expires-in.js';
import { thrown } from '../helpers/thrown.js';

const FALLBACK = 3_600_000;
const MAX = 86_400_000;
const parse = (value: unknown) => parseExpiresIn(value, FALLBACK, MAX);

describe('parseExpiresIn', () => {
  it('falls back to the default when absent', () => {
    for (const absent of [undefined, null, '']) expect(parse(absent)).toBe(FALLBACK);
  });

  it('reads milliseconds, as a number (floored) or digits', () => {
    expect(parse(5000)).toBe(5000);
    expect(parse(1500.9)).toBe(1500);
    expect(parse(1)).toBe(1);
    expect(parse('5000')).toBe(5000);
    expect(parse('007')).toBe(7);
  });

  it('reads ms timespans', () => {
    expect(parse('1h')).toBe(3_600_000);
    expect(parse('1.5h')).toBe(5_400_000);
    expect(parse('30m')).toBe(1_800_000);
    expect(parse('10 seconds')).toBe(10_000);
    expect(parse('1d')).toBe(MAX);
  });

  it('refuses zero, negative, fractions below 1 ms and anything unreadable with 400 api.assert.invalid_argument', () => {
    const samples: unknown[] = [0, -1, -3_600_000, 0.5, '0', '-1', '-1h', '0h', 'abc', '1 fortnight', 'h', '1e3', ' 1h', '1h ', 'x'.repeat(40), '9'.repeat(33), NaN, true, false, {}, [], [1000]];
    for (const sample of samples) {
      const error = thrown(() => parse(sample));
      expect({ sample, id: error.id, status: error.status }).toEqual({ sample, id: 'api.assert.invalid_argument', status: 400 });
      expect(error.message).toContain('expiresIn');
    }
  });

  it('refuses more than the maximum with 400 security.token.ttl_exceeded, however it is written', () => {
    const samples: unknown[] = [MAX + 1, String(MAX + 1), '25h', '2d', '1y', 1e300, Infinity, '99999999999999999999'];
    for (const sample of samples) {
      const error = thrown(() => parse(sample));
      expect({ sample, id: error.id, status: error.status }).toEqual({ sample, id: 'security.token.ttl_exceeded', status: 400 });
    }
  });

  it('accepts exactly the maximum', () => {
    expect(parse(MAX)).toBe(MAX);
    expect(parse(String(MAX))).toBe(MAX);
  });
});
