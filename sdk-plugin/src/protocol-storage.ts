/**
 * The storage part of the wire contract (protocol.ts re-exports it): what a
 * plugin's storage namespace holds and how it is searched, as the
 * `storage.*` host calls carry it.
 */
import type { JsonObject, JsonScalar } from './protocol.js';

/** A field name in a stored document: letters, digits, `_`, dotted for nesting. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/;
/** A collection name: lower-case letters, digits, `_` and `-`, 1 to 64 characters. */
export const COLLECTION_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
/** Document ids: 1 to 512 characters of anything printable. */
export const MAX_DOCUMENT_ID_LENGTH = 512;

export interface IndexSpec {
  field: string;
  /** A unique index refuses a second document with the same value. */
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  indexes: IndexSpec[];
}

export interface StoredDocument { _id: string; _source: JsonObject }

/** Equality, `in`, or a range: on `_id` or on an indexed field. */
export type FieldCondition =
  | JsonScalar
  | { in: JsonScalar[] }
  | { gt?: JsonScalar; gte?: JsonScalar; lt?: JsonScalar; lte?: JsonScalar };

export interface SearchQuery {
  /** All conditions must hold (AND). Keys are `_id` or indexed fields. */
  where?: Record<string, FieldCondition>;
  sort?: Array<{ field: string; order?: 'asc' | 'desc' }>;
  from?: number;
  size?: number;
}

export interface SearchResult {
  hits: StoredDocument[];
  /** Documents matching `where`, regardless of from/size. */
  total: number;
}
