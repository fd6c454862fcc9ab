/**
 * The per-plugin document store: the kernel side of the Repository API.
 *
 * One SQLite file per plugin namespace, one table per declared collection
 * (`id TEXT PRIMARY KEY, body TEXT` holding the JSON), one expression index per
 * declared field. Declarations are recorded in the file itself, so data and
 * indexes survive a restart. Every argument is untrusted plugin input: it is
 * checked (store-validation.ts) and turned into parameterized SQL
 * (store-query.ts) before SQLite sees it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import Database from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type {
  CollectionSpec,
  JsonObject,
  SearchQuery,
  SearchResult,
  StoredDocument,
} from '@portcullis/sdk-plugin/protocol';
import {
  MAX_COLLECTIONS,
  checkCollectionName,
  checkCollectionSpec,
  checkDocument,
  checkId,
  checkIds,
  invalidArgument,
  isPlainObject,
  mergeDocument,
  serializeDocument,
} from './store-validation.js';
import {
  StatementCache,
  compileSearch,
  compileWhere,
  fieldExpression,
  indexName,
  quoteIdentifier,
  tableName,
  type CompiledClause,
} from './store-query.js';
import { collectionState, toDocument, translateConstraint, type CollectionState } from './store-rows.js';

interface DocumentRow {
  id: string;
  body: string;
}

/** The store's own bookkeeping; collection tables are all `c_*`, so no name clash. */
const METADATA_TABLE = quoteIdentifier('portcullis_collections');
/** Distinct query shapes kept prepared; a plugin uses a few dozen, this bounds a hostile one. */
const STATEMENT_CACHE_SIZE = 256;

export class PluginStore {
  private readonly collections = new Map<string, CollectionState>();
  private readonly statements: StatementCache<Database.Statement>;

  private constructor(
    private readonly db: Database.Database,
    /** Stands where Kuzzle names the index in `not_found` and `unknown_collection`. */
    readonly namespace: string,
  ) {
    this.statements = new StatementCache(STATEMENT_CACHE_SIZE, (sql) => db.prepare(sql));
  }

  /** Opens (creating if needed) a namespace's SQLite file and loads its declarations. */
  static open(file: string, namespace: string = basename(file, extname(file))): PluginStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      // WAL: readers never block the writer. NORMAL under WAL loses no commit when the process
      // crashes, at worst the last ones on power loss, and never corrupts the file.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`CREATE TABLE IF NOT EXISTS ${METADATA_TABLE} (name TEXT PRIMARY KEY, spec TEXT NOT NULL)`);
      const store = new PluginStore(db, namespace);
      store.loadCollections();
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Whether no collection was ever declared in it: a new file (or one restored empty) holds nothing. */
  get empty(): boolean { return this.collections.size === 0; }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  /** Creates the collection or brings its indexes to `spec` (added and dropped). Idempotent. */
  declareCollection(spec: CollectionSpec): void {
    const checked = checkCollectionSpec(spec);
    if (!this.collections.has(checked.name) && this.collections.size >= MAX_COLLECTIONS) {
      throw invalidArgument('name', `at most ${MAX_COLLECTIONS} collections per plugin`);
    }
    const state = collectionState(checked);
    this.write(state, () => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${state.table} (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
      this.syncIndexes(state);
      this.statement(
        `INSERT INTO ${METADATA_TABLE} (name, spec) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET spec = excluded.spec`,
      ).run(checked.name, JSON.stringify(checked));
    });
    this.collections.set(checked.name, state);
  }

  /** Stores a new document; `id` null asks for a random UUID. */
  create(collection: string, id: string | null, body: JsonObject): StoredDocument {
    const { state, docId, json } = this.checkWrite(collection, id === null ? randomUUID() : id, body);
    this.write(state, () => this.statement(`INSERT INTO ${state.table} (id, body) VALUES (?, ?)`).run(docId, json));
    return toDocument(docId, json);
  }

  get(collection: string, id: string): StoredDocument | null {
    const state = this.collection(collection);
    const docId = checkId(id);
    const row = this.statement(`SELECT body FROM ${state.table} WHERE id = ?`).get(docId) as DocumentRow | undefined;
    return row === undefined ? null : toDocument(docId, row.body);
  }

  /** The documents found, in the order of `ids` (missing ones left out). */
  mGet(collection: string, ids: string[]): StoredDocument[] {
    const state = this.collection(collection);
    const wanted = checkIds(ids);
    if (wanted.length === 0) return [];
    const rows = this.statement(
      `SELECT id, body FROM ${state.table} WHERE id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(wanted)) as DocumentRow[];
    const bodies = new Map(rows.map((row) => [row.id, row.body]));
    return wanted.flatMap((docId) => {
      const body = bodies.get(docId);
      return body === undefined ? [] : [toDocument(docId, body)];
    });
  }

  /** Deep-merges `changes` into the document (see mergeDocument) and returns the result. */
  update(collection: string, id: string, changes: JsonObject): StoredDocument {
    const state = this.collection(collection);
    const docId = checkId(id);
    const patch = checkDocument(changes, 'changes');
    return this.write(state, () => {
      const row = this.statement(`SELECT body FROM ${state.table} WHERE id = ?`).get(docId) as DocumentRow | undefined;
      if (row === undefined) throw this.notFound(state, docId);
      const json = serializeDocument(state.collection, mergeDocument(JSON.parse(row.body) as JsonObject, patch));
      this.statement(`UPDATE ${state.table} SET body = ? WHERE id = ?`).run(json, docId);
      return toDocument(docId, json);
    });
  }

  /**
   * Compare-and-set: merges `changes` only if the stored document's
   * `expected` fields still hold those values; null if they do not (or the
   * document is gone), so a concurrent writer's change is never overwritten.
   */
  updateIf(collection: string, id: string, expected: JsonObject, changes: JsonObject): StoredDocument | null {
    const state = this.collection(collection);
    const docId = checkId(id);
    const condition = checkDocument(expected, 'expected');
    const patch = checkDocument(changes, 'changes');
    return this.write(state, () => {
      const row = this.statement(`SELECT body FROM ${state.table} WHERE id = ?`).get(docId) as DocumentRow | undefined;
      if (row === undefined) return null;
      const current = JSON.parse(row.body) as JsonObject;
      if (Object.entries(condition).some(([field, value]) => JSON.stringify(current[field]) !== JSON.stringify(value))) return null;
      const json = serializeDocument(state.collection, mergeDocument(current, patch));
      this.statement(`UPDATE ${state.table} SET body = ? WHERE id = ?`).run(json, docId);
      return toDocument(docId, json);
    });
  }

  /** Adds `by` to a numeric field in one transaction, creating the document from `initial` if missing; the new value. */
  increment(collection: string, id: string, field: string, by: number, initial: JsonObject): number {
    const state = this.collection(collection);
    const docId = checkId(id);
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field)) throw invalidArgument('field', 'a top-level field name');
    if (!Number.isSafeInteger(by)) throw invalidArgument('by', 'an integer');
    const start = checkDocument(initial, 'initial');
    return this.write(state, () => {
      const row = this.statement(`SELECT body FROM ${state.table} WHERE id = ?`).get(docId) as DocumentRow | undefined;
      const current = row === undefined ? start : (JSON.parse(row.body) as JsonObject);
      const value = (typeof current[field] === 'number' ? (current[field] as number) : 0) + by;
      const json = serializeDocument(state.collection, { ...current, [field]: value });
      this.statement(`INSERT INTO ${state.table} (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body`).run(docId, json);
      return value;
    });
  }

  replace(collection: string, id: string, body: JsonObject): StoredDocument {
    const { state, docId, json } = this.checkWrite(collection, id, body);
    const { changes } = this.write(state, () =>
      this.statement(`UPDATE ${state.table} SET body = ? WHERE id = ?`).run(json, docId),
    );
    if (changes === 0) throw this.notFound(state, docId);
    return toDocument(docId, json);
  }

  createOrReplace(collection: string, id: string, body: JsonObject): StoredDocument {
    const { state, docId, json } = this.checkWrite(collection, id, body);
    this.write(state, () =>
      this.statement(
        `INSERT INTO ${state.table} (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
      ).run(docId, json),
    );
    return toDocument(docId, json);
  }

  /** True if the document existed. */
  delete(collection: string, id: string): boolean {
    const state = this.collection(collection);
    const docId = checkId(id);
    const { changes } = this.write(state, () => this.statement(`DELETE FROM ${state.table} WHERE id = ?`).run(docId));
    return changes > 0;
  }

  search(collection: string, query: SearchQuery): SearchResult {
    const state = this.collection(collection);
    const raw: unknown = query ?? {};
    if (!isPlainObject(raw)) throw invalidArgument('query', 'an object {where, sort, from, size}');
    const plan = compileSearch(state, raw);
    const rows = this.statement(
      `SELECT id, body FROM ${state.table} WHERE ${plan.where.sql} ORDER BY ${plan.orderBy} LIMIT ? OFFSET ?`,
    ).all(...plan.where.params, plan.size, plan.from) as DocumentRow[];
    // A first page that is not full already is the whole result: no second query.
    const total = plan.from === 0 && rows.length < plan.size ? rows.length : this.countWhere(state, plan.where);
    return { hits: rows.map((row) => toDocument(row.id, row.body)), total };
  }

  count(collection: string, where?: SearchQuery['where']): number {
    const state = this.collection(collection);
    const raw: unknown = where;
    if (raw !== undefined && !isPlainObject(raw)) throw invalidArgument('where', 'an object of conditions');
    return this.countWhere(state, compileWhere(state, raw));
  }

  private countWhere(state: CollectionState, where: CompiledClause): number {
    const row = this.statement(`SELECT count(*) AS total FROM ${state.table} WHERE ${where.sql}`).get(...where.params);
    return (row as { total: number }).total;
  }

  private collection(name: string): CollectionState {
    const state = this.collections.get(checkCollectionName(name));
    if (state === undefined) throw new PluginError('services.storage.unknown_collection', this.namespace, name);
    return state;
  }

  /** The checks every whole-document write makes, in argument order. */
  private checkWrite(collection: string, id: string, body: JsonObject): { state: CollectionState; docId: string; json: string } {
    const state = this.collection(collection);
    const docId = checkId(id);
    return { state, docId, json: serializeDocument(state.collection, checkDocument(body, 'body')) };
  }

  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  private notFound(state: CollectionState, id: string): PluginError {
    return new PluginError('services.storage.not_found', id, this.namespace, state.collection);
  }

  /** Runs `work` as one transaction, turning constraint failures into catalogue errors. */
  private write<T>(state: CollectionState, work: () => T): T {
    try {
      return this.db.transaction(work)();
    } catch (error) {
      throw translateConstraint(state, error);
    }
  }

  /** Creates declared indexes that are missing and drops the ones no longer declared. */
  private syncIndexes(state: CollectionState): void {
    const wanted = new Map(
      state.spec.indexes.map((index) => [indexName(state.collection, index.field, index.unique === true), index]),
    );
    const existing = this.statement(
      `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`,
    ).all(tableName(state.collection)) as Array<{ name: string }>;
    for (const { name } of existing) {
      if (!wanted.delete(name)) this.db.exec(`DROP INDEX ${quoteIdentifier(name)}`);
    }
    for (const [name, index] of wanted) {
      const unique = index.unique === true ? 'UNIQUE ' : '';
      this.db.exec(`CREATE ${unique}INDEX ${quoteIdentifier(name)} ON ${state.table} (${fieldExpression(index.field)})`);
    }
  }

  private loadCollections(): void {
    const rows = this.db.prepare(`SELECT spec FROM ${METADATA_TABLE}`).all() as Array<{ spec: string }>;
    for (const row of rows) {
      const spec = checkCollectionSpec(JSON.parse(row.spec));
      this.collections.set(spec.name, collectionState(spec));
    }
  }
}
