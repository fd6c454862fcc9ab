/**
 * How the store turns declarations and rows into its own shapes, and SQLite
 * constraint failures into catalogue errors.
 */
import Database from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { CollectionSpec, JsonObject, StoredDocument } from '@portcullis/sdk-plugin/protocol';
import { indexName, quoteIdentifier, tableName, type QueryTarget } from './store-query.js';

export interface CollectionState extends QueryTarget {
  spec: CollectionSpec;
  /** SQLite index name -> field, to name the field of a unique violation. */
  uniqueIndexes: ReadonlyMap<string, string>;
}

export function collectionState(spec: CollectionSpec): CollectionState {
  const uniqueIndexes = new Map<string, string>();
  for (const index of spec.indexes) {
    if (index.unique === true) uniqueIndexes.set(indexName(spec.name, index.field, true), index.field);
  }
  return {
    spec,
    collection: spec.name,
    table: quoteIdentifier(tableName(spec.name)),
    indexed: new Set(spec.indexes.map((index) => index.field)),
    uniqueIndexes,
  };
}

/** Parsed from the stored JSON, so a caller never shares objects with what it passed in. */
export function toDocument(id: string, json: string): StoredDocument {
  return { _id: id, _source: JSON.parse(json) as JsonObject };
}

/**
 * A duplicate id or a unique index hit -> its catalogue error. The unique
 * error names the field, never the value (it may be another user's login).
 */
export function translateConstraint(state: CollectionState, error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  if (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return new PluginError('services.storage.document_already_exists');
  if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const index = /index '([^']+)'/.exec(error.message)?.[1];
    const field = index === undefined ? undefined : state.uniqueIndexes.get(index);
    if (field !== undefined) return new PluginError('services.storage.unique_violation', state.collection, field);
  }
  return error;
}
