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
 *
 * Bounded: one `terms` is one `IN (...)`, never a chain of ORs, and a query
 * holds at most {@link MAX_QUERY_VALUES} values in all. That keeps every
 * accepted query far below SQLite's own limits (32,766 bound variables, an
 * expression depth of 1000), which would otherwise fail at run time, and
 * keeps what a scroll cursor holds small (user-scroll.ts).
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

export type SqlValue = string | number;

export interface SqlFilter {
  /** A condition for `WHERE` (or a list for `ORDER BY`), on the `users` table. */
  sql: string;
  params: SqlValue[];
}

/** What UserStore.search runs: the query's filter (it gives `total`), the order, and the page's `search_after` condition. */
export interface UserSearchQuery {
  filter: SqlFilter;
  order: SqlFilter;
  after: SqlFilter;
}

/** Dotted paths of plain names: nothing that could mean something else in a JSON path. */
export const USER_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/;
/** Bounds that keep one query cheap to compile and to run. */
const MAX_DEPTH = 8;
const MAX_CLAUSES = 128;
const MAX_VALUES = 1000;
/** Values of ids, term and terms, all clauses together; each is one bound variable at most. */
export const MAX_QUERY_VALUES = 10_000;
/** Characters of those values together (strings count their length, anything else 8). */
const MAX_QUERY_CHARS = 1_000_000;
/**
 * A guard more than a limit: 128 clauses and 10,000 placeholders come to
 * about 60,000 characters of SQL.
 */
const MAX_SQL_CHARS = 100_000;

export const MATCH_ALL: SqlFilter = { sql: '1', params: [] };
export const MATCH_NONE: SqlFilter = { sql: '0', params: [] };

type Scalar = string | number | boolean | null;

interface Budget {
  clauses: number;
  values: number;
  chars: number;
}

/** Compiles a search query; absent or `{}` matches every user. */
export function compileUserQuery(query: unknown): SqlFilter {
  if (query === undefined || query === null || (isObject(query) && Object.keys(query).length === 0)) return MATCH_ALL;
  const filter = clause(query, 0, { clauses: 0, values: 0, chars: 0 });
  if (filter.sql.length > MAX_SQL_CHARS) throw invalid(`a query compiles to at most ${MAX_SQL_CHARS} characters of SQL`);
  return filter;
}

function clause(node: unknown, depth: number, budget: Budget): SqlFilter {
  if (depth > MAX_DEPTH) throw invalid(`queries nest at most ${MAX_DEPTH} levels`);
  if (++budget.clauses > MAX_CLAUSES) throw invalid(`a query has at most ${MAX_CLAUSES} clauses`);
  const [keyword, body] = single(node, 'a query clause');
  switch (keyword) {
    case 'match_all':
      return MATCH_ALL;
    case 'ids':
      return termsOn('_id', valuesOf(isObject(body) ? body.values : undefined, 'ids.values', budget));
    case 'term':
    case 'match': {
      const [field, spec] = single(body, `${keyword} on one field`);
      const value = isObject(spec) ? spec[keyword === 'term' ? 'value' : 'query'] : spec;
      return termsOn(field, valuesOf([value], `${keyword}.${field.slice(0, 64)}`, budget));
    }
    case 'terms': {
      const [field, values] = single(body, 'terms on one field');
      return termsOn(field, valuesOf(values, `terms.${field.slice(0, 64)}`, budget));
    }
    case 'bool':
      return bool(body, depth, budget);
    default:
      throw new PluginError('services.storage.invalid_query_keyword', keyword.slice(0, 64));
  }
}

function bool(body: unknown, depth: number, budget: Budget): SqlFilter {
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

/**
 * Whether `field` equals one of `values`: `_id`, or a content field (an
 * array field matches when it holds one of them). One EXISTS whatever the
 * number of values.
 */
function termsOn(field: string, values: Scalar[]): SqlFilter {
  if (field === '_id') {
    // kuids are strings: any other value matches no one.
    const ids = [...new Set(values.filter((value): value is string => typeof value === 'string'))];
    return ids.length === 0 ? MATCH_NONE : { sql: `id IN (${marks(ids.length)})`, params: ids };
  }
  if (!USER_FIELD.test(field)) throw invalid(`"${field.slice(0, 64)}" is not a field name (letters, digits, "_", dotted)`);
  const element = elementIn(values);
  if (element === null) return MATCH_NONE;
  const path = `$.${field}`;
  // json_each walks an array's items, or yields a scalar itself; an object's members are not values.
  return {
    sql: `EXISTS (SELECT 1 FROM json_each(users.content, ?) e WHERE json_type(users.content, ?) <> 'object' AND (${element.sql}))`,
    params: [path, path, ...element.params],
  };
}

/**
 * A test of the JSON element `e` against every value, type by type: the
 * type column tells a JSON true from the number 1, and "5" from 5, while
 * 30 and 30.0 are one number.
 */
function elementIn(values: Scalar[]): SqlFilter | null {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const literals = new Set<'true' | 'false' | 'null'>();
  for (const value of values) {
    if (typeof value === 'string') strings.add(value);
    else if (typeof value === 'number') numbers.add(value);
    else literals.add(value === null ? 'null' : value ? 'true' : 'false');
  }
  const tests: string[] = [];
  if (strings.size > 0) tests.push(`(e.type = 'text' AND e.value IN (${marks(strings.size)}))`);
  if (numbers.size > 0) tests.push(`(e.type IN ('integer', 'real') AND e.value IN (${marks(numbers.size)}))`);
  // Three fixed words, never a client's text.
  if (literals.size > 0) tests.push(`e.type IN (${[...literals].map((type) => `'${type}'`).join(', ')})`);
  return tests.length === 0 ? null : { sql: tests.join(' OR '), params: [...strings, ...numbers] };
}

function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
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

/** A list of values, counted against the query's budget. */
function valuesOf(values: unknown, where: string, budget: Budget): Scalar[] {
  if (!Array.isArray(values)) throw invalid(`${where} takes an array`);
  if (values.length > MAX_VALUES) throw invalid(`${where} takes at most ${MAX_VALUES} values`);
  const scalars = values.map((value) => scalar(value, where));
  budget.values += scalars.length;
  if (budget.values > MAX_QUERY_VALUES) throw invalid(`a query holds at most ${MAX_QUERY_VALUES} values in all (ids, term and terms)`);
  budget.chars += scalars.reduce((sum: number, value) => sum + (typeof value === 'string' ? value.length : 8), 0);
  if (budget.chars > MAX_QUERY_CHARS) throw invalid(`the values of a query hold at most ${MAX_QUERY_CHARS} characters in all`);
  return scalars;
}

function scalar(value: unknown, where: string): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw invalid(`${where} takes a string, number, boolean or null`);
}

export function invalid(reason: string): PluginError {
  return new PluginError('services.storage.invalid_query', 'users', reason);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
