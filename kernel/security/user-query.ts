/**
 * The part of Elasticsearch's query DSL that security:searchUsers supports,
 * turned into an SQL condition on the `users` table: `match_all`, `ids`,
 * `term` / `match` (exact equality, not full text), `terms`, and `bool`
 * (`must`, `filter`, `should`, `must_not`). A field is `_id` or a dotted
 * path into the user's content; on an array field a value matches when the
 * array holds it, as in Elasticsearch (`{term: {profileIds: "admin"}}`).
 *
 * Safe by construction: every value is a bound parameter, and field names
 * must match a strict pattern before they become a JSON path (itself bound).
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

export type SqlValue = string | number;

export interface SqlFilter {
  /** A condition for `WHERE`, on the `users` table. */
  sql: string;
  params: SqlValue[];
}

/** Dotted paths of plain names: nothing that could mean something else in a JSON path. */
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/;
/** Bounds that keep one query cheap to compile and to run. */
const MAX_DEPTH = 8;
const MAX_CLAUSES = 128;
const MAX_VALUES = 1000;

const MATCH_ALL: SqlFilter = { sql: '1', params: [] };
const MATCH_NONE: SqlFilter = { sql: '0', params: [] };

type Scalar = string | number | boolean | null;

/** Compiles a search query; absent or `{}` matches every user. */
export function compileUserQuery(query: unknown): SqlFilter {
  if (query === undefined || query === null || (isObject(query) && Object.keys(query).length === 0)) return MATCH_ALL;
  const budget = { clauses: 0 };
  return clause(query, 0, budget);
}

function clause(node: unknown, depth: number, budget: { clauses: number }): SqlFilter {
  if (depth > MAX_DEPTH) throw invalid(`queries nest at most ${MAX_DEPTH} levels`);
  if (++budget.clauses > MAX_CLAUSES) throw invalid(`a query has at most ${MAX_CLAUSES} clauses`);
  const [keyword, body] = single(node, 'a query clause');
  switch (keyword) {
    case 'match_all':
      return MATCH_ALL;
    case 'ids':
      return idsIn(valuesOf(isObject(body) ? body.values : undefined, 'ids.values'));
    case 'term':
    case 'match': {
      const [field, spec] = single(body, `${keyword} on one field`);
      const value = isObject(spec) ? spec[keyword === 'term' ? 'value' : 'query'] : spec;
      return equals(field, scalar(value, `${keyword}.${field.slice(0, 64)}`));
    }
    case 'terms': {
      const [field, values] = single(body, 'terms on one field');
      const list = valuesOf(values, `terms.${field.slice(0, 64)}`);
      return field === '_id' ? idsIn(list) : anyOf(list.map((value) => equals(field, value)));
    }
    case 'bool':
      return bool(body, depth, budget);
    default:
      throw new PluginError('services.storage.invalid_query_keyword', keyword.slice(0, 64));
  }
}

function bool(body: unknown, depth: number, budget: { clauses: number }): SqlFilter {
  if (!isObject(body)) throw invalid('bool takes an object');
  const parts: Record<string, SqlFilter[]> = { must: [], filter: [], should: [], must_not: [] };
  for (const [occur, clauses] of Object.entries(body)) {
    const list = parts[occur];
    if (list === undefined || !Object.hasOwn(parts, occur)) throw new PluginError('services.storage.invalid_query_keyword', `bool.${occur.slice(0, 64)}`);
    for (const child of Array.isArray(clauses) ? clauses : [clauses]) list.push(clause(child, depth + 1, budget));
  }
  const required = [...parts.must!, ...parts.filter!];
  // As in Elasticsearch: beside must/filter, should clauses only score; alone, one must match.
  if (required.length === 0 && parts.should!.length > 0) required.push(anyOf(parts.should!));
  for (const excluded of parts.must_not!) required.push({ sql: `NOT (${excluded.sql})`, params: excluded.params });
  return allOf(required);
}

/** Equality on `_id` or on a content field (an array field matches when it holds the value). */
function equals(field: string, value: Scalar): SqlFilter {
  if (field === '_id') return typeof value === 'string' ? { sql: 'id = ?', params: [value] } : MATCH_NONE;
  if (!FIELD.test(field)) throw invalid(`"${field.slice(0, 64)}" is not a field name (letters, digits, "_", dotted)`);
  const path = `$.${field}`;
  // The type column tells a JSON true from the number 1, and "5" from 5.
  const [typeSql, params]: [string, SqlValue[]] =
    value === null ? ["e.type = 'null'", []]
      : typeof value === 'boolean' ? [`e.type = '${value ? 'true' : 'false'}'`, []]
        : typeof value === 'number' ? ["e.type IN ('integer', 'real') AND e.value = ?", [value]]
          : ["e.type = 'text' AND e.value = ?", [value]];
  return {
    sql: `EXISTS (SELECT 1 FROM json_each(users.content, ?) e WHERE json_type(users.content, ?) <> 'object' AND ${typeSql})`,
    params: [path, path, ...params],
  };
}

function idsIn(values: Scalar[]): SqlFilter {
  const ids = values.filter((value): value is string => typeof value === 'string');
  if (ids.length === 0) return MATCH_NONE;
  return { sql: `id IN (${ids.map(() => '?').join(', ')})`, params: ids };
}

function allOf(filters: SqlFilter[]): SqlFilter {
  if (filters.length === 0) return MATCH_ALL;
  return { sql: filters.map((f) => `(${f.sql})`).join(' AND '), params: filters.flatMap((f) => f.params) };
}

function anyOf(filters: SqlFilter[]): SqlFilter {
  if (filters.length === 0) return MATCH_NONE;
  return { sql: filters.map((f) => `(${f.sql})`).join(' OR '), params: filters.flatMap((f) => f.params) };
}

/** The one key of an object such as `{term: {...}}`, and its value. */
function single(node: unknown, what: string): [string, unknown] {
  const keys = isObject(node) ? Object.keys(node) : [];
  if (keys.length !== 1) throw invalid(`expected ${what}, as an object with one key`);
  return [keys[0]!, (node as Record<string, unknown>)[keys[0]!]];
}

function valuesOf(values: unknown, where: string): Scalar[] {
  if (!Array.isArray(values)) throw invalid(`${where} takes an array`);
  if (values.length > MAX_VALUES) throw invalid(`${where} takes at most ${MAX_VALUES} values`);
  return values.map((value) => scalar(value, where));
}

function scalar(value: unknown, where: string): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw invalid(`${where} takes a string, number, boolean or null`);
}

function invalid(reason: string): PluginError {
  return new PluginError('services.storage.invalid_query', 'users', reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
