/**
 * Request input checked with zod, and zod's findings turned into Kuzzle's
 * `api.assert.*` errors: a missing value is `missing_argument` (or
 * `body_required` for the whole body), anything else `invalid_argument`
 * naming the field and what was expected. Plus the argument schemas the
 * route table shares, which read query-string values as Kuzzle does.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: 'args' | 'body'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (where === 'body' && value === undefined) throw new PluginError('api.assert.body_required');
  const field = issue.path.map(String).join('.') || where;
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined) {
    throw new PluginError('api.assert.missing_argument', where === 'body' ? `body.${field}` : field);
  }
  throw new PluginError('api.assert.invalid_argument', where === 'body' && issue.path.length > 0 ? `body.${field}` : field, issue.message);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** A query-string boolean: present (`?global`), `true` or `1` is true; absent, `false` or `0` is false. */
export const boolArg = z
  .union([z.boolean(), z.enum(['', 'true', 'false', '1', '0'])], { error: 'true or false' })
  .optional()
  .transform((value) => value === true || value === '' || value === 'true' || value === '1');

/** An integer from a query string or JSON, within bounds. */
export function intArg(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^-?\d{1,15}$/)], { error: `an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.int().min(min).max(max));
}

/** A non-empty string of at most `max` characters. */
export function stringArg(max = 256) {
  return z.string({ error: 'a string' }).min(1, { error: 'a non-empty string' }).max(max, { error: `at most ${max} characters` });
}

/** A JSON object. */
export const objectSchema = z.custom<JsonObject>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'a JSON object' },
);

/** `expiresIn` as given (a number of ms or an `ms` string); parsed by tokens/expires-in.ts. */
export const expiresInArg = z.union([z.number(), z.string().max(32)], { error: 'milliseconds or a timespan such as "1h"' }).optional();
