/**
 * Input checks for the per-plugin document store.
 *
 * Every argument reaching {@link PluginStore} comes from plugin code, so it is
 * untrusted: each check either returns the value typed or throws
 * `services.storage.invalid_argument` naming the argument and what was
 * expected (Kuzzle's template: `Argument "%s" is invalid (expected: %s)`),
 * never echoing the value, so that no malformed input reaches SQLite or crashes the kernel.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import {
  COLLECTION_NAME_PATTERN,
  FIELD_NAME_PATTERN,
  MAX_DOCUMENT_ID_LENGTH,
  type CollectionSpec,
  type IndexSpec,
  type JsonObject,
  type JsonValue,
} from '@portcullis/sdk-plugin/protocol';

/** Indexes per collection: each one costs every write a b-tree update. */
export const MAX_INDEXES = 16;
/** Collections per plugin namespace: one table each; a strategy needs a handful. */
export const MAX_COLLECTIONS = 64;
/** Serialized document size (1 MiB): credentials are small, this stops abuse. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Nesting depth of a document; also what stops a cyclic structured clone. */
export const MAX_DOCUMENT_DEPTH = 100;
/** Ids in one mGet, values in one `in` condition. */
export const MAX_IDS = 1000;

/** Control characters, and lone surrogates that SQLite's UTF-8 would fold into U+FFFD (two ids, one row). */
const UNPRINTABLE_ID = /\p{Cc}|\p{Cs}/u;

export function invalidArgument(argument: string, reason: string): PluginError {
  return new PluginError('services.storage.invalid_argument', argument, reason);
}

/** A plain object as structured clone or JSON.parse makes them (no class instances, no Map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function checkCollectionName(value: unknown, argument = 'collection'): string {
  if (typeof value !== 'string') throw invalidArgument(argument, 'a string');
  if (!COLLECTION_NAME_PATTERN.test(value)) {
    throw invalidArgument(argument, '1 to 64 characters: a lower-case letter, then a-z, 0-9, "_" or "-"');
  }
  return value;
}

export function checkId(value: unknown, argument = 'id'): string {
  if (typeof value !== 'string') throw invalidArgument(argument, 'a string');
  if (value.length === 0 || value.length > MAX_DOCUMENT_ID_LENGTH) {
    throw invalidArgument(argument, `1 to ${MAX_DOCUMENT_ID_LENGTH} characters`);
  }
  if (UNPRINTABLE_ID.test(value)) throw invalidArgument(argument, 'printable characters only');
  return value;
}

export function checkIds(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidArgument('ids', 'an array of ids');
  if (value.length > MAX_IDS) throw invalidArgument('ids', `at most ${MAX_IDS} ids`);
  return value.map((id: unknown) => checkId(id, 'ids'));
}

/** Checks a declaration and returns it normalized (`unique` always set, nothing else kept). */
export function checkCollectionSpec(value: unknown): CollectionSpec {
  if (!isPlainObject(value)) throw invalidArgument('spec', 'an object {name, indexes}');
  const name = checkCollectionName(value.name, 'name');
  const indexes = value.indexes ?? [];
  if (!Array.isArray(indexes)) throw invalidArgument('indexes', 'an array');
  if (indexes.length > MAX_INDEXES) throw invalidArgument('indexes', `at most ${MAX_INDEXES} indexes`);
  const seen = new Set<string>();
  const checked = indexes.map((index: unknown): IndexSpec => {
    const spec = checkIndexSpec(index);
    if (seen.has(spec.field)) throw invalidArgument('indexes', `each field once, "${spec.field}" is repeated`);
    seen.add(spec.field);
    return spec;
  });
  return { name, indexes: checked };
}

function checkIndexSpec(value: unknown): IndexSpec {
  if (!isPlainObject(value)) throw invalidArgument('indexes', 'objects {field, unique?}');
  const { field, unique } = value;
  if (typeof field !== 'string' || !FIELD_NAME_PATTERN.test(field)) {
    throw invalidArgument('indexes', 'field names of letters, digits and "_", dotted for nesting');
  }
  // `_id` in a query means the document id, which is always indexed.
  if (field === '_id') throw invalidArgument('indexes', 'fields other than "_id", which is always indexed');
  if (unique !== undefined && typeof unique !== 'boolean') throw invalidArgument('indexes', '"unique" as a boolean');
  return { field, unique: unique === true };
}

/**
 * Checks that `value` is a JSON object: plain objects, dense arrays, strings,
 * finite numbers, booleans and null, at most {@link MAX_DOCUMENT_DEPTH} deep.
 * Object properties set to `undefined` are allowed and mean "absent", as in JSON.
 */
export function checkDocument(value: unknown, argument: string): JsonObject {
  if (!isPlainObject(value)) throw invalidArgument(argument, 'a plain JSON object');
  checkJsonValue(value, argument, 0);
  return value as JsonObject;
}

function checkJsonValue(value: unknown, argument: string, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidArgument(argument, 'finite numbers');
    return;
  }
  if (depth >= MAX_DOCUMENT_DEPTH) throw invalidArgument(argument, `at most ${MAX_DOCUMENT_DEPTH} levels of nesting`);
  if (Array.isArray(value)) {
    // Index loop, not for-of: holes read as undefined and are refused.
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) throw invalidArgument(argument, 'arrays without undefined or holes');
      checkJsonValue(value[i], argument, depth + 1);
    }
    return;
  }
  if (!isPlainObject(value)) throw invalidArgument(argument, 'JSON values only');
  for (const item of Object.values(value)) {
    if (item !== undefined) checkJsonValue(item, argument, depth + 1);
  }
}

/** Serializes a checked document and enforces {@link MAX_DOCUMENT_BYTES}. */
export function serializeDocument(collection: string, body: JsonObject): string {
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new PluginError('services.storage.document_too_large', collection, bytes, MAX_DOCUMENT_BYTES);
  }
  return json;
}

/**
 * Deep merge for `update`: plain objects merge key by key; arrays, scalars and
 * `null` replace. Keys are defined, never assigned, so a `__proto__` key in
 * plugin data stays data instead of changing a prototype.
 */
export function mergeDocument(current: JsonObject, changes: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, change] of Object.entries(changes)) {
    if (change === undefined) continue;
    const existing = merged[key];
    const value: JsonValue =
      isPlainObject(change) && isPlainObject(existing)
        ? mergeDocument(existing as JsonObject, change as JsonObject)
        : change;
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}
