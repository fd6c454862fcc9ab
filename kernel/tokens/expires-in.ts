/**
 * `expiresIn` as Kuzzle takes it: milliseconds (a number or digits) or an
 * `ms` timespan ("1h", "30m"), bounded by a maximum.
 */
import ms, { type StringValue } from 'ms';
import { PluginError } from '@portcullis/sdk-plugin/errors';

/**
 * @returns the lifetime in milliseconds, or `fallback` when `value` is absent.
 * @throws `api.assert.invalid_argument` for anything unreadable or not positive,
 *   `security.token.ttl_exceeded` past `maxMs`.
 */
export function parseExpiresIn(value: unknown, fallback: number, maxMs: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = toMilliseconds(value);
  // A huge number is still a readable lifetime: past the maximum, it is ttl_exceeded like any other.
  if (parsed === null || Number.isNaN(parsed) || parsed <= 0) {
    throw new PluginError('api.assert.invalid_argument', 'expiresIn', 'a positive number of milliseconds or a timespan such as "1h"');
  }
  if (parsed > maxMs) throw new PluginError('security.token.ttl_exceeded');
  return parsed;
}

function toMilliseconds(value: unknown): number | null {
  if (typeof value === 'number') return Math.floor(value);
  if (typeof value !== 'string' || value.length > 32) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = ms(value as StringValue) as number | undefined;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? Math.floor(parsed) : null;
}
