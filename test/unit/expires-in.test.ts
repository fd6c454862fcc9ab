import { describe, expect, it } from 'vitest';
import { API_KEY_TTL_CEILING_MS, isInfinite, parseApiKeyExpiresIn, parseExpiresIn } from '../../kernel/tokens/expires-in.js';
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

describe('parseApiKeyExpiresIn', () => {
  it('without a maximum: absent, -1 and "-1" mean never (null); anything else as parseExpiresIn', () => {
    for (const never of [undefined, null, '', -1, '-1']) expect(parseApiKeyExpiresIn(never, null)).toBeNull();
    expect(parseApiKeyExpiresIn('30d', null)).toBe(30 * 86_400_000);
    expect(parseApiKeyExpiresIn(5000, null)).toBe(5000);
    expect(thrown(() => parseApiKeyExpiresIn(-2, null)).id).toBe('api.assert.invalid_argument');
    expect(thrown(() => parseApiKeyExpiresIn('-1h', null)).id).toBe('api.assert.invalid_argument');
  });

  it('without a maximum still stops at 100 years, so expiresAt stays a date', () => {
    expect(parseApiKeyExpiresIn(API_KEY_TTL_CEILING_MS, null)).toBe(API_KEY_TTL_CEILING_MS);
    expect(thrown(() => parseApiKeyExpiresIn(1e300, null)).id).toBe('security.token.ttl_exceeded');
  });

  it('with a maximum: never expiring and longer lifetimes are 400 security.token.ttl_exceeded', () => {
    for (const refused of [undefined, -1, '-1', '3h', 7_200_001]) {
      const error = thrown(() => parseApiKeyExpiresIn(refused, 7_200_000));
      expect({ refused, id: error.id, status: error.status }).toEqual({ refused, id: 'security.token.ttl_exceeded', status: 400 });
    }
    expect(parseApiKeyExpiresIn('1h', 7_200_000)).toBe(3_600_000);
  });

  it('isInfinite: -1 as a number or a string, nothing else', () => {
    expect([-1, '-1'].every(isInfinite)).toBe(true);
    expect([undefined, null, '', 0, '-1h', -2, '1'].some(isInfinite)).toBe(false);
  });
});
