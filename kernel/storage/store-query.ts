/**
 * SQL for the per-plugin document store: identifiers and SearchQuery -> SQL.
 *
 * Nothing a plugin sends is ever concatenated into SQL. Identifiers come from
 * names already matched against COLLECTION_NAME_PATTERN / FIELD_NAME_PATTERN
 * (letters, digits, `_`, `-`, `.`: no quote can appear) and are quoted anyway;
 * every value is a bound parameter. Field paths are written as literals rather
 * than bound because SQLite only uses an expression index for a query whose
 * expression is textually the indexed one.
 */
import { createHash } from 'node:crypto';
import { FIELD_NAME_PATTERN, type JsonScalar } from '@portcullis/sdk-plugin/protocol';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { MAX_IDS, isPlainObject } from './store-validation.js';

export type SqlValue = string | number | null;

/** Elasticsearch's `index.max_result_window` (Kuzzle's limit too): deep paging is a scan. */
export const MAX_RESULT_WINDOW = 10_000;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 10;

/** A double-quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `c_` keeps collection tables apart from the store's own and from SQLite's `sqlite_` names. */
export function tableName(collection: string): string {
  return `c_${collection}`;
}

/**
 * Index names hash the field: SQLite identifiers are case-insensitive while
 * field names are not (`Email` and `email` must not collide). 64 bits of
 * SHA-256 make a collision within one collection negligible. The prefix
 * records uniqueness, so flipping `unique` re-creates the index.
 */
export function indexName(collection: string, field: string, unique: boolean): string {
  const digest = createHash('sha256').update(field).digest('hex').slice(0, 16);
  return `${unique ? 'ux' : 'ix'}_${collection}_${digest}`;
}

/** The expression an index is built on and a query must repeat verbatim. */
export function fieldExpression(field: string): string {
  return `json_extract(body, '$.${field}')`;
}

/** What a collection's queries may use. */
export interface QueryTarget {
  collection: string;
  /** Quoted table name. */
  table: string;
  /** Indexed fields (not `_id`, which is always allowed). */
  indexed: ReadonlySet<string>;
}

export interface CompiledClause {
  sql: string;
  params: SqlValue[];
}

type ScalarKind = 'string' | 'number' | 'boolean';
const RANGE_OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
type RangeOperator = keyof typeof RANGE_OPERATORS;

/**
 * A type guard per condition: json_extract turns `true` into 1 and SQLite
 * orders every number before every string, so without it `{active: 1}` would
 * match `true` and `{gt: 5}` would match every string.
 */
const TYPE_GUARDS: Record<ScalarKind, string> = {
  string: `= 'text'`,
  number: `IN ('integer', 'real')`,
  boolean: `IN ('true', 'false')`,
};

export function invalidQuery(collection: string, reason: string): PluginError {
  return new PluginError('services.storage.invalid_query', collection, reason);
}

/** Checks a `where` or `sort` key: `_id` or a declared index. */
export function checkQueryField(target: QueryTarget, field: unknown): string {
  if (typeof field !== 'string' || (field !== '_id' && !FIELD_NAME_PATTERN.test(field))) {
    throw invalidQuery(target.collection, 'fields must be "_id" or field names');
  }
  if (field !== '_id' && !target.indexed.has(field)) {
    throw new PluginError('services.storage.not_indexed', field, target.collection);
  }
  return field;
}

export interface CompiledSearch {
  where: CompiledClause;
  orderBy: string;
  from: number;
  size: number;
}

const QUERY_KEYS: ReadonlySet<string> = new Set(['where', 'sort', 'from', 'size']);

/** A whole SearchQuery, already known to be a plain object. */
export function compileSearch(target: QueryTarget, query: Record<string, unknown>): CompiledSearch {
  if (!Object.keys(query).every((key) => QUERY_KEYS.has(key))) {
    throw invalidQuery(target.collection, 'the only keys are where, sort, from and size');
  }
  return {
    where: compileWhere(target, query.where),
    orderBy: compileSort(target, query.sort),
    ...compilePage(target.collection, query.from, query.size),
  };
}

/** `where` -> an SQL condition (`1` when empty). Keys are sorted so equal shapes share one statement. */
export function compileWhere(target: QueryTarget, where: unknown): CompiledClause {
  if (where === undefined || where === null) return { sql: '1', params: [] };
  if (!isPlainObject(where)) throw invalidQuery(target.collection, '"where" must be an object');
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const key of Object.keys(where).sort()) {
    const field = checkQueryField(target, key);
    const clause = compileCondition(target.collection, field, where[key]);
    parts.push(clause.sql);
    params.push(...clause.params);
  }
  return { sql: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

function compileCondition(collection: string, field: string, condition: unknown): CompiledClause {
  const column = field === '_id' ? 'id' : fieldExpression(field);
  if (condition === null) {
    if (field === '_id') throw invalidQuery(collection, 'conditions on "_id" take strings');
    return { sql: `${column} IS NULL`, params: [] };
  }
  if (!isPlainObject(condition)) {
    const kind = scalarKind(collection, field, condition);
    return guarded(field, kind, { sql: `${column} = ?`, params: [toSqlValue(condition as JsonScalar)] });
  }
  if (Object.hasOwn(condition, 'in')) return compileIn(collection, field, column, condition);
  return compileRange(collection, field, column, condition);
}

function compileIn(collection: string, field: string, column: string, condition: Record<string, unknown>): CompiledClause {
  const values = condition.in;
  if (Object.keys(condition).length !== 1 || !Array.isArray(values)) {
    throw invalidQuery(collection, `"in" on "${field}" must be the only key and hold an array`);
  }
  if (values.length === 0 || values.length > MAX_IDS) {
    throw invalidQuery(collection, `"in" on "${field}" takes 1 to ${MAX_IDS} values`);
  }
  const kind = commonKind(collection, field, values);
  // One JSON parameter instead of N placeholders: one statement for any list length.
  return guarded(field, kind, { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] });
}

function compileRange(collection: string, field: string, column: string, condition: Record<string, unknown>): CompiledClause {
  const keys = Object.keys(condition);
  if (keys.length === 0 || !keys.every((key): key is RangeOperator => Object.hasOwn(RANGE_OPERATORS, key))) {
    throw invalidQuery(collection, `a condition on "${field}" is a scalar, {in: [...]} or a range of gt, gte, lt, lte`);
  }
  const kind = commonKind(collection, field, keys.map((key) => condition[key]));
  if (kind === 'boolean') throw invalidQuery(collection, `range bounds on "${field}" must be numbers or strings`);
  const sql = keys.map((key) => `${column} ${RANGE_OPERATORS[key]} ?`).join(' AND ');
  return guarded(field, kind, { sql, params: keys.map((key) => toSqlValue(condition[key] as JsonScalar)) });
}

function scalarKind(collection: string, field: string, value: unknown): ScalarKind {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean' && field !== '_id') return 'boolean';
  if (typeof value === 'number' && field !== '_id') {
    if (!Number.isFinite(value)) throw invalidQuery(collection, `values for "${field}" must be finite numbers`);
    return 'number';
  }
  throw invalidQuery(collection, field === '_id' ? 'conditions on "_id" take strings' : `"${field}" takes scalar values`);
}

/** Mixed types in one `in` or range could only match through SQLite's cross-type ordering: refused. */
function commonKind(collection: string, field: string, values: unknown[]): ScalarKind {
  const kinds = new Set(values.map((value) => scalarKind(collection, field, value)));
  const [kind] = kinds;
  if (kind === undefined || kinds.size !== 1) throw invalidQuery(collection, `values for "${field}" must share one type`);
  return kind;
}

function guarded(field: string, kind: ScalarKind, clause: CompiledClause): CompiledClause {
  if (field === '_id') return clause;
  return { sql: `(${clause.sql} AND json_type(body, '$.${field}') ${TYPE_GUARDS[kind]})`, params: clause.params };
}

/** better-sqlite3 binds no booleans; JSON `true`/`false` read back from json_extract as 1/0. */
function toSqlValue(value: JsonScalar): SqlValue {
  return typeof value === 'boolean' ? Number(value) : value;
}

/** `sort` -> ORDER BY, always ending on `id` so that paging is stable. */
export function compileSort(target: QueryTarget, sort: unknown): string {
  if (sort === undefined) return 'id ASC';
  // `_id` plus every index: more keys can only repeat one.
  if (!Array.isArray(sort) || sort.length > target.indexed.size + 1) {
    throw invalidQuery(target.collection, '"sort" must be an array of {field, order}, each field once');
  }
  const seen = new Set<string>();
  const terms = sort.map((entry: unknown) => {
    if (!isPlainObject(entry)) throw invalidQuery(target.collection, '"sort" entries must be {field, order}');
    const field = checkQueryField(target, entry.field);
    const order = entry.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw invalidQuery(target.collection, '"order" must be "asc" or "desc"');
    if (seen.has(field)) throw invalidQuery(target.collection, `"sort" names "${field}" twice`);
    seen.add(field);
    return `${field === '_id' ? 'id' : fieldExpression(field)} ${order.toUpperCase()}`;
  });
  if (!seen.has('_id')) terms.push('id ASC');
  return terms.join(', ');
}

/** `from`/`size` checked against {@link MAX_PAGE_SIZE} and {@link MAX_RESULT_WINDOW}. */
export function compilePage(collection: string, from: unknown, size: unknown): { from: number; size: number } {
  const start = pageNumber(collection, 'from', from ?? 0, MAX_RESULT_WINDOW);
  const count = pageNumber(collection, 'size', size ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (start + count > MAX_RESULT_WINDOW) {
    throw invalidQuery(collection, `"from" + "size" must not exceed ${MAX_RESULT_WINDOW}`);
  }
  return { from: start, size: count };
}

function pageNumber(collection: string, name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw invalidQuery(collection, `"${name}" must be an integer from 0 to ${max}`);
  }
  return value;
}

/** A small LRU: prepared statements keyed by their SQL, which encodes the query shape and no value. */
export class StatementCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly prepare: (sql: string) => T,
  ) {}

  get(sql: string): T {
    let statement = this.entries.get(sql);
    if (statement === undefined) {
      statement = this.prepare(sql);
      if (this.entries.size >= this.capacity) {
        const [oldest] = this.entries.keys();
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    } else {
      this.entries.delete(sql);
    }
    this.entries.set(sql, statement);
    return statement;
  }

  clear(): void {
    this.entries.clear();
  }
}
