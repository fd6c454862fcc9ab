/**
 * plugins.json: which plugins are enabled, their config, and the limits of
 * their isolates.
 *
 * @example
 * ```json
 * {"plugins": {"local": {"enabled": true, "config": {}, "threads": {"min": 1, "max": 2}}}}
 * ```
 * Every key outside a plugin's `config` is checked: a typo such as
 * `"treads"` would otherwise silently leave the defaults in force.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';

/** Plugin names: also folder names and storage namespaces, so kept plain. */
export const PLUGIN_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export interface ThreadSettings {
  min: number;
  max: number;
}

/** One plugin's entry of plugins.json, defaults applied. */
export interface PluginSettings {
  enabled: boolean;
  /** Handed to the plugin as is; the kernel never interprets it. */
  config: JsonObject;
  threads: ThreadSettings;
  callTimeoutMs: number;
  initTimeoutMs: number;
  heapMb: number;
  maxQueue: number;
  /** Profiles this plugin may give the users it creates through the host users service. */
  allowedProfiles: string[];
  /**
   * This plugin's API actions (`controller:action`) that anyone may call,
   * logged in or not, e.g. `password:reset` (the token is the proof).
   */
  publicActions: string[];
}

export interface PluginsConfig {
  plugins: Record<string, PluginSettings>;
}

const boundedInt = (min: number, max: number, fallback: number) => z.int().min(min).max(max).default(fallback);

const threadsSchema = z
  .strictObject({ min: boundedInt(1, 16, 1), max: boundedInt(1, 16, 2) })
  .refine((threads) => threads.min <= threads.max, {
    error: (issue) => {
      const threads = issue.input as ThreadSettings;
      return `min (${threads.min}) must not exceed max (${threads.max})`;
    },
  });

const pluginSchema = z.strictObject({
  enabled: z.boolean(),
  config: z.custom<JsonObject>(isJsonObject, { error: 'expected a JSON object' }).default(() => ({})),
  threads: threadsSchema.default(() => ({ min: 1, max: 2 })),
  callTimeoutMs: boundedInt(1, 600_000, 10_000),
  initTimeoutMs: boundedInt(1, 600_000, 10_000),
  heapMb: boundedInt(16, 4096, 64),
  maxQueue: boundedInt(0, 100_000, 1000),
  // No profile by default: a plugin creates users only where the operator says so.
  allowedProfiles: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).max(64).default(() => []),
  // Nothing public by default: opening an action to anonymous callers is the operator's call.
  publicActions: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}:[A-Za-z][A-Za-z0-9_-]{0,63}$/, { error: 'expected "controller:action"' })).max(64).default(() => []),
});

const pluginsConfigSchema = z.strictObject({
  plugins: z.record(z.string().regex(PLUGIN_NAME), pluginSchema),
});

/**
 * Checks an already parsed plugins.json and applies defaults.
 *
 * @param source where `raw` came from, for the error message.
 * @throws PluginError `plugin.config.invalid` listing every problem with its field path.
 */
export function parsePluginsConfig(raw: unknown, source: string): PluginsConfig {
  const result = pluginsConfigSchema.safeParse(raw);
  const details = result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, raw));
  // zod's record drops a `__proto__` key without a word; refuse it like any bad name.
  const plugins = valueAt(raw, ['plugins']);
  if (typeof plugins === 'object' && plugins !== null && Object.hasOwn(plugins, '__proto__')) {
    details.push(badName(['plugins', '__proto__']));
  }
  if (!result.success || details.length > 0) {
    throw new PluginError('plugin.config.invalid', source, details.join('; '));
  }
  return result.data;
}

/**
 * Reads and checks plugins.json.
 *
 * @throws PluginError `plugin.config.invalid` when the file is missing,
 * unreadable, not JSON or not a valid configuration.
 */
export function loadPluginsConfig(file: string): PluginsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(error);
    throw new PluginError('plugin.config.invalid', file, reason);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PluginError('plugin.config.invalid', file, jsonSyntaxError(text, error));
  }
  return parsePluginsConfig(raw, file);
}

/**
 * Where `JSON.parse` failed on `text`, as a line and column, never the text:
 * Node 20's message quotes the characters around the error, which may be a
 * secret sitting in the file. Messages without a position say only
 * "not valid JSON".
 */
export function jsonSyntaxError(text: string, error: unknown): string {
  const match = error instanceof Error ? / at position (\d+)\b/.exec(error.message) : null;
  const position = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(position) || position > text.length) return 'not valid JSON';
  const before = text.slice(0, position);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  // Columns count characters (code points), as editors do, not UTF-16 units.
  const column = [...before.slice(lineStart)].length + 1;
  return `not valid JSON (error at line ${line}, column ${column})`;
}

/** The enabled plugins, in file order. */
export function enabledPlugins(config: PluginsConfig): Array<[string, PluginSettings]> {
  return Object.entries(config.plugins).filter(([, settings]) => settings.enabled);
}

// ---------------------------------------------------------------- error details

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const where = fieldPath(issue.path);
  const got = describeValue(valueAt(raw, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${fieldPath([...issue.path, key])}: unknown key`);
    case 'invalid_key':
      return [badName(issue.path)];
    case 'invalid_type':
      if (got === 'nothing') return [`${where}: missing, expected ${expectedType(issue.expected)}`];
      return [`${where}: expected ${expectedType(issue.expected)}, got ${got}`];
    case 'too_small':
      return [`${where}: expected an integer >= ${String(issue.minimum)}, got ${got}`];
    case 'too_big':
      return [`${where}: expected an integer <= ${String(issue.maximum)}, got ${got}`];
    case 'custom': // our own refinements, whose message is already written for people
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_union':
    case 'invalid_value':
    case 'not_multiple_of':
      return [`${where}: ${issue.message}`];
  }
}

const badName = (path: readonly PropertyKey[]): string =>
  `${fieldPath(path)}: invalid plugin name, expected kebab-case matching ${PLUGIN_NAME.source}`;

function expectedType(expected: string): string {
  // Every number in plugins.json is an integer.
  const names: Record<string, string> = {
    int: 'an integer',
    number: 'an integer',
    boolean: 'a boolean',
    object: 'an object',
    record: 'an object',
  };
  return names[expected] ?? expected;
}

/** `plugins.local.threads.min`; odd keys quoted, `(top level)` for the root. */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const text = String(key);
      if (/^[A-Za-z_$][\w$-]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Strings are not echoed: a misplaced secret must not land in a log line. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return `a value of type ${typeof value}`;
}

/** True for a plain object holding only JSON values (what a plugin's isolate can receive). */
function isJsonObject(value: unknown): value is JsonObject {
  return isPlainObject(value) && isJsonValue(value, new Set());
}

function isJsonValue(value: unknown, ancestors: Set<object>): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || ancestors.has(value)) return false; // a cycle is not JSON
  if (!Array.isArray(value) && !isPlainObject(value)) return false;
  ancestors.add(value);
  const ok = Object.values(value).every((item) => isJsonValue(item, ancestors));
  ancestors.delete(value);
  return ok;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
