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

/**
 * Longest lifetime an API key may have when no maximum is set: 100 years
 * is "never" in practice, and keeps `expiresAt` a valid date (JavaScript
 * dates end 275,000 years from now; a client's may end sooner).
 */
export const API_KEY_TTL_CEILING_MS = 100 * 365 * 24 * 3_600_000;

/**
 * An API key's `expiresIn`: absent, `-1` or `"-1"` means never, as in Kuzzle.
 * @param maxMs the API key maximum (API_KEY_MAX_TTL), `null` for none: with
 *   one, a key that never expires is refused too.
 * @returns the lifetime in milliseconds, or `null` for never.
 * @throws as {@link parseExpiresIn}; `security.token.ttl_exceeded` past the maximum.
 */
export function parseApiKeyExpiresIn(value: unknown, maxMs: number | null): number | null {
  if (isInfinite(value) || value === undefined || value === null || value === '') {
    if (maxMs !== null) throw new PluginError('security.token.ttl_exceeded');
    return null;
  }
  return parseExpiresIn(value, 0, maxMs ?? API_KEY_TTL_CEILING_MS);
}

/** Kuzzle's "never expires": -1, as a number or a string. */
export function isInfinite(value: unknown): boolean {
  return value === -1 || value === '-1';
}

function toMilliseconds(value: unknown): number | null {
  if (typeof value === 'number') return Math.floor(value);
  if (typeof value !== 'string' || value.length > 32) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = ms(value as StringValue) as number | undefined;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? Math.floor(parsed) : null;
}
