/**
 * A whole security:searchUsers body (`query`, `sort`, `search_after`) as
 * the SQL UserStore.search runs. `sort` takes Kuzzle's (Elasticsearch's)
 * forms on `_id` and content fields: `"name"`, `["_id"]`,
 * `[{"age": "desc"}]`, `[{"address.city": {"order": "asc"}}]`, or
 * `{"name": "asc"}`. As in Elasticsearch, a missing (or null) value sorts
 * last in both orders; `id` ends every order so that pages are stable.
 *
 * `search_after` is what kuzzle-sdk's SearchResult.next() sends for a
 * search with `sort` and `size` (the last hit's sort values): the page
 * starts strictly after them, so hits that tie on every sort key are
 * skipped, as in Elasticsearch, unless `_id` is in the sort.
 *
 * Field paths are bound, as in user-query.ts, after the same pattern check.
 */
import { compileUserQuery, invalid, isObject, MATCH_ALL, MATCH_NONE, USER_FIELD, type SqlFilter, type SqlValue, type UserSearchQuery } from './user-query.js';

/** `_id` and a few fields are all a page order needs; it keeps search_after's condition small (n² terms). */
const MAX_SORT_KEYS = 8;

interface SortKey {
  field: string;
  desc: boolean;
}

export interface UserSearchBody {
  query?: unknown;
  sort?: unknown;
  search_after?: unknown;
}

/**
 * Compiles a searchUsers body. `search_after` pages from the start of the
 * results and not through a scroll, as Elasticsearch requires.
 * @throws 400 `services.storage.invalid_query`
 */
export function compileUserSearch(body: UserSearchBody, page: { from: number; scroll: boolean }): UserSearchQuery {
  const filter = compileUserQuery(body.query);
  const keys = sortKeys(body.sort);
  if (body.search_after === undefined || body.search_after === null) return { filter, order: orderBy(keys), after: MATCH_ALL };
  if (page.scroll) throw invalid('search_after cannot be used with scroll');
  if (page.from !== 0) throw invalid('search_after pages with from 0');
  return { filter, order: orderBy(keys), after: searchAfter(keys, body.search_after) };
}

function sortKeys(sort: unknown): SortKey[] {
  if (sort === undefined || sort === null) return [];
  let entries: unknown[];
  if (typeof sort === 'string') entries = [sort];
  else if (Array.isArray(sort)) entries = sort;
  else if (isObject(sort)) entries = Object.entries(sort).map(([field, order]) => ({ [field]: order }));
  else throw invalid('sort takes a field name, an array, or an object of fields and orders');
  if (entries.length > MAX_SORT_KEYS) throw invalid(`sort takes at most ${MAX_SORT_KEYS} fields`);
  const keys = entries.map(sortKey);
  const fields = new Set(keys.map((key) => key.field));
  if (fields.size !== keys.length) throw invalid('sort names each field once');
  return keys;
}

/** `"field"`, `{field: "asc"}` or `{field: {order: "desc"}}`. */
function sortKey(entry: unknown): SortKey {
  if (typeof entry === 'string') return { field: sortField(entry), desc: false };
  const keys = isObject(entry) ? Object.keys(entry) : [];
  if (keys.length !== 1) throw invalid('a sort entry is a field name or an object with one field');
  const field = sortField(keys[0]!);
  let order = (entry as Record<string, unknown>)[field];
  if (isObject(order)) {
    if (Object.keys(order).some((option) => option !== 'order')) throw invalid(`sort on "${field}" takes only "order"`);
    order = order.order ?? 'asc';
  }
  if (typeof order !== 'string' || !['asc', 'desc'].includes(order.toLowerCase())) throw invalid(`the order of "${field}" is "asc" or "desc"`);
  return { field, desc: order.toLowerCase() === 'desc' };
}

function sortField(field: string): string {
  if (field !== '_id' && !USER_FIELD.test(field)) throw invalid(`cannot sort on "${field.slice(0, 64)}": sort on "_id" or a content field (letters, digits, "_", dotted)`);
  return field;
}

/** The key's value in SQL: `id`, or the content field (NULL when missing). */
function valueOf(key: SortKey): SqlFilter {
  return key.field === '_id' ? { sql: 'id', params: [] } : { sql: 'json_extract(users.content, ?)', params: [`$.${key.field}`] };
}

function orderBy(keys: SortKey[]): SqlFilter {
  const terms = keys.map((key) => {
    const value = valueOf(key);
    // SQLite puts NULLs first in ascending order; Elasticsearch puts missing values last in both.
    return { sql: `${value.sql} ${key.desc ? 'DESC' : 'ASC'}${key.field === '_id' ? '' : ' NULLS LAST'}`, params: value.params };
  });
  if (!keys.some((key) => key.field === '_id')) terms.push({ sql: 'id ASC', params: [] });
  return { sql: terms.map((term) => term.sql).join(', '), params: terms.flatMap((term) => term.params) };
}

/**
 * Rows strictly after `values` in the order of `keys`: after on the first
 * key, or equal on it and after on the second, and so on.
 */
function searchAfter(keys: SortKey[], values: unknown): SqlFilter {
  if (keys.length === 0) throw invalid('search_after needs a sort');
  if (!Array.isArray(values) || values.length !== keys.length) throw invalid(`search_after takes one value per sort field (${keys.length})`);
  const bound = values.map(sqlValue);
  const branches: SqlFilter[] = [];
  for (let i = 0; i < keys.length; i++) {
    const beyond = after(keys[i]!, bound[i]!);
    if (beyond !== null) branches.push(join([...keys.slice(0, i).map((key, j) => equal(key, bound[j]!)), beyond], ' AND '));
  }
  return branches.length === 0 ? MATCH_NONE : join(branches, ' OR ');
}

/** A sort value as json_extract reads it back: booleans as 1/0, arrays and objects as JSON text. */
function sqlValue(value: unknown): SqlValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value === 'object') return JSON.stringify(value);
  throw invalid('search_after takes JSON values');
}

function equal(key: SortKey, value: SqlValue | null): SqlFilter {
  const field = valueOf(key);
  return value === null ? { sql: `${field.sql} IS NULL`, params: field.params } : { sql: `${field.sql} = ?`, params: [...field.params, value] };
}

/** Strictly after `value` on one key; null when nothing is (missing values come last). */
function after(key: SortKey, value: SqlValue | null): SqlFilter | null {
  if (value === null) return null;
  const field = valueOf(key);
  const beyond = `${field.sql} ${key.desc ? '<' : '>'} ?`;
  if (key.field === '_id') return { sql: beyond, params: [value] };
  return { sql: `(${beyond} OR ${field.sql} IS NULL)`, params: [...field.params, value, ...field.params] };
}

function join(parts: SqlFilter[], operator: ' AND ' | ' OR '): SqlFilter {
  return { sql: parts.map((part) => `(${part.sql})`).join(operator), params: parts.flatMap((part) => part.params) };
}
