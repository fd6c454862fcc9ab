/**
 * The part of Elasticsearch's query DSL that searchApiKeys takes. Kuzzle
 * hands the request body to Elasticsearch as the query over the caller's
 * keys, where `description` is a text field; here the same clauses are
 * answered in memory over one user's keys:
 * - `match_all`;
 * - `match` on `description`: any of the query's words (`operator: "and"`:
 *   all of them), words compared lower-cased, as Elasticsearch's standard
 *   analyzer does; on `_id`, `expiresAt` or `ttl`: the exact value;
 * - `term`: the exact value; on `description`, one of its lower-cased words
 *   (Elasticsearch's `term` on a text field);
 * - `bool` with `must`, `filter`, `should` (alone: one must match), `must_not`.
 * Bounded (8 levels, 128 clauses) like the users' queries.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { ApiKey } from './api-key-store.js';

export type ApiKeyMatcher = (key: ApiKey) => boolean;

const MAX_DEPTH = 8;
const MAX_CLAUSES = 128;
const MAX_TEXT = 4096;

const FIELDS: Record<string, (key: ApiKey) => string | number> = {
  _id: (key) => key._id,
  description: (key) => key._source.description,
  expiresAt: (key) => key._source.expiresAt,
  ttl: (key) => key._source.ttl,
};

const ANY: ApiKeyMatcher = () => true;

/** Compiles a searchApiKeys body; absent or `{}` matches every key. */
export function compileApiKeyQuery(query: unknown): ApiKeyMatcher {
  if (query === undefined || query === null || (isObject(query) && Object.keys(query).length === 0)) return ANY;
  return clause(query, 0, { clauses: 0 });
}

function clause(node: unknown, depth: number, budget: { clauses: number }): ApiKeyMatcher {
  if (depth > MAX_DEPTH) throw invalid(`queries nest at most ${MAX_DEPTH} levels`);
  if (++budget.clauses > MAX_CLAUSES) throw invalid(`a query has at most ${MAX_CLAUSES} clauses`);
  const [keyword, body] = single(node, 'a query clause');
  switch (keyword) {
    case 'match_all':
      return ANY;
    case 'match':
    case 'term':
      return fieldClause(keyword, body);
    case 'bool':
      return bool(body, depth, budget);
    default:
      throw new PluginError('services.storage.invalid_query_keyword', keyword.slice(0, 64));
  }
}

function fieldClause(keyword: 'match' | 'term', body: unknown): ApiKeyMatcher {
  const [field, spec] = single(body, `${keyword} on one field`);
  const read = Object.hasOwn(FIELDS, field) ? FIELDS[field] : undefined;
  if (read === undefined) throw invalid(`${keyword} takes one of the fields ${Object.keys(FIELDS).join(', ')}`);
  const value = isObject(spec) ? spec[keyword === 'term' ? 'value' : 'query'] : spec;
  if ((typeof value !== 'string' && typeof value !== 'number') || String(value).length > MAX_TEXT) {
    throw invalid(`${keyword}.${field} takes a string or a number of at most ${MAX_TEXT} characters`);
  }
  if (field !== 'description') return (key) => String(read(key)) === String(value);
  if (keyword === 'term') return (key) => wordsOf(key._source.description).includes(String(value));
  const operator = isObject(spec) ? (spec.operator ?? 'or') : 'or';
  if (operator !== 'or' && operator !== 'and') throw invalid('match.description.operator is "or" or "and"');
  const wanted = wordsOf(String(value));
  return (key) => {
    const words = new Set(wordsOf(key._source.description));
    return operator === 'and' ? wanted.every((word) => words.has(word)) : wanted.some((word) => words.has(word));
  };
}

function bool(body: unknown, depth: number, budget: { clauses: number }): ApiKeyMatcher {
  if (!isObject(body)) throw invalid('bool takes an object');
  const parts: Record<string, ApiKeyMatcher[]> = { must: [], filter: [], should: [], must_not: [] };
  for (const [occur, clauses] of Object.entries(body)) {
    const list = Object.hasOwn(parts, occur) ? parts[occur] : undefined;
    if (list === undefined) throw new PluginError('services.storage.invalid_query_keyword', `bool.${occur.slice(0, 64)}`);
    for (const child of Array.isArray(clauses) ? clauses : [clauses]) list.push(clause(child, depth + 1, budget));
  }
  const required = [...parts.must!, ...parts.filter!];
  const excluded = parts.must_not!;
  // As in Elasticsearch: beside must/filter, should clauses only score; alone, one must match.
  const should = required.length === 0 && parts.should!.length > 0 ? parts.should! : [];
  return (key) => required.every((m) => m(key)) && !excluded.some((m) => m(key)) && (should.length === 0 || should.some((m) => m(key)));
}

/** Lower-cased runs of letters and digits: what Elasticsearch's standard analyzer keeps, near enough. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

/** The one key of an object such as `{term: {...}}`, and its value. */
function single(node: unknown, what: string): [string, unknown] {
  const keys = isObject(node) ? Object.keys(node) : [];
  if (keys.length !== 1) throw invalid(`expected ${what}, as an object with one key`);
  return [keys[0]!, (node as Record<string, unknown>)[keys[0]!]];
}

function invalid(reason: string): PluginError {
  return new PluginError('services.storage.invalid_query', 'api-keys', reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
