import { describe, expect, it } from 'vitest';
import { compileApiKeyQuery } from '../../kernel/tokens/api-key-query.js';
import type { ApiKey } from '../../kernel/tokens/api-key-store.js';
import { thrown } from '../helpers/thrown.js';

const key = (_id: string, description: string, expiresAt = -1, ttl = -1): ApiKey => ({ _id, _source: { userId: 'alice', description, expiresAt, ttl } });
const KEYS = [key('sigfox', 'Sigfox API key'), key('ci', 'CI deploy key', 1_700_000_000_000, 86_400_000), key('backup', 'Nightly backup (read-only)'), key('cafe', 'Café crème')];
const ids = (query: unknown) => KEYS.filter(compileApiKeyQuery(query)).map((k) => k._id);

describe('compileApiKeyQuery (searchApiKeys bodies)', () => {
  it('matches everything when absent, empty or match_all', () => {
    for (const all of [undefined, null, {}, { match_all: {} }]) expect(ids(all)).toEqual(['sigfox', 'ci', 'backup', 'cafe']);
  });

  it('match on description: any word, case-insensitive; operator "and": all words', () => {
    expect(ids({ match: { description: 'sigfox' } })).toEqual(['sigfox']);
    expect(ids({ match: { description: 'KEY' } })).toEqual(['sigfox', 'ci']);
    expect(ids({ match: { description: 'sigfox deploy' } })).toEqual(['sigfox', 'ci']);
    expect(ids({ match: { description: { query: 'deploy key', operator: 'and' } } })).toEqual(['ci']);
    expect(ids({ match: { description: { query: 'sigfox deploy', operator: 'and' } } })).toEqual([]);
    // Words, not substrings; punctuation splits them; letters beyond ASCII are letters.
    expect(ids({ match: { description: 'fox' } })).toEqual([]);
    expect(ids({ match: { description: 'read' } })).toEqual(['backup']);
    expect(ids({ match: { description: 'CRÈME' } })).toEqual(['cafe']);
  });

  it('term: the exact value; on description one of its lower-cased words, as Elasticsearch on a text field', () => {
    expect(ids({ term: { _id: 'ci' } })).toEqual(['ci']);
    expect(ids({ term: { _id: { value: 'backup' } } })).toEqual(['backup']);
    expect(ids({ term: { ttl: 86_400_000 } })).toEqual(['ci']);
    expect(ids({ term: { expiresAt: -1 } })).toEqual(['sigfox', 'backup', 'cafe']);
    expect(ids({ term: { description: 'nightly' } })).toEqual(['backup']);
    expect(ids({ term: { description: 'Nightly' } })).toEqual([]);
  });

  it('bool: must, filter, must_not, and should (alone: one must match)', () => {
    expect(ids({ bool: { must: { match: { description: 'key' } }, must_not: { term: { _id: 'ci' } } } })).toEqual(['sigfox']);
    expect(ids({ bool: { should: [{ term: { _id: 'ci' } }, { term: { _id: 'cafe' } }] } })).toEqual(['ci', 'cafe']);
    expect(ids({ bool: { filter: [{ match: { description: 'key' } }], should: { term: { _id: 'nothing' } } } })).toEqual(['sigfox', 'ci']);
  });

  it('refuses unknown keywords, fields and shapes with Kuzzle storage errors, never a crash', () => {
    expect(thrown(() => compileApiKeyQuery({ regexp: { description: '.*' } })).id).toBe('services.storage.invalid_query_keyword');
    expect(thrown(() => compileApiKeyQuery({ bool: { must_maybe: [] } })).id).toBe('services.storage.invalid_query_keyword');
    for (const bad of [
      { term: { fingerprint: 'x' } },
      { term: { userId: 'bob' } },
      { match: { description: { query: 'x', operator: 'xor' } } },
      { match: { description: { nested: true } } },
      { term: { _id: 'a', description: 'b' } },
      { match_all: {}, term: { _id: 'a' } },
      { match: { description: 'x'.repeat(5000) } },
      { bool: [] },
      'match_all',
      [],
      { term: { constructor: 'x' } },
    ]) {
      const error = thrown(() => compileApiKeyQuery(bad));
      expect({ bad, id: error.id, status: error.status }).toEqual({ bad, id: 'services.storage.invalid_query', status: 400 });
    }
  });

  it('bounds nesting and the number of clauses', () => {
    let deep: unknown = { match_all: {} };
    for (let i = 0; i < 10; i++) deep = { bool: { must: deep } };
    expect(thrown(() => compileApiKeyQuery(deep)).message).toMatch(/nest at most/);
    const wide = { bool: { should: Array.from({ length: 200 }, () => ({ match_all: {} })) } };
    expect(thrown(() => compileApiKeyQuery(wide)).message).toMatch(/at most 128 clauses/);
  });
});
