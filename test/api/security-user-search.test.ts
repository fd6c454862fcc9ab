/**
 * security:searchUsers at its limits and with `sort`, through the real app
 * and the real kuzzle-sdk on a real port: large `terms` compile to one IN
 * (the review's 500s from SQLite's limits are now 400s with a reason), a
 * query's values are bounded in all, `sort` takes Kuzzle's forms on `_id`
 * and content fields, `search_after` continues a sorted page, SearchResult.next()
 * walks every user with and without sort, and scroll cursors' memory is bounded.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrollCursors } from '../../kernel/security/user-scroll.js';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

describe('searchUsers: bounded queries and sort', () => {
  let k: ApiKernel;
  let admin: string;
  // The users, with `admin` (no name, no age): names sort Ann..Eve, then admin last (missing).
  const users = {
    'u-ann': { name: 'Ann', address: { city: 'Paris' }, age: 30, tags: ['a', 'b'], active: true },
    'u-bob': { name: 'Bob', address: { city: 'Lyon' }, age: 40, tags: ['b'], active: false },
    'u-cid': { name: 'Cid', address: { city: 'Paris' }, age: '30' },
    'u-dan': { name: 'Dan', age: 25 },
    'u-eve': { name: 'Eve', age: 35.5 },
  };

  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
    for (const [kuid, content] of Object.entries(users)) {
      const created = await k.call('POST', `/users/${kuid}/_create`, { jwt: admin, body: { content: { profileIds: ['default'], ...content } } });
      expect(created.status).toBe(200);
    }
  });
  afterAll(() => k.stop());

  const search = (body: unknown, query = '') => k.call('POST', `/users/_search${query}`, { jwt: admin, body });
  const found = async (body: unknown, query = '?size=100') => {
    const response = await search(body, query);
    expect(response.status, JSON.stringify(response.body.error)).toBe(200);
    return (response.body.result.hits as Array<{ _id: string }>).map((hit) => hit._id);
  };
  const refused = async (body: unknown, query = '') => {
    const { status, body: envelope } = await search(body, query);
    return { status, id: envelope.error?.id, message: envelope.error?.message };
  };
  const misses = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

  describe('large terms', () => {
    it('terms on a content field with 1000 values (a 500 "Expression tree is too large" before) finds the right users', async () => {
      expect(await found({ query: { terms: { name: ['Cid', ...misses(998, 'nobody'), 'Ann'] } } })).toEqual(['u-ann', 'u-cid']);
      expect(await found({ query: { terms: { _id: [...misses(999, 'kuid'), 'u-bob'] } } })).toEqual(['u-bob']);
      expect(await found({ query: { bool: { must_not: { terms: { name: misses(1000, 'nobody') } } } } })).toEqual(['admin', 'u-ann', 'u-bob', 'u-cid', 'u-dan', 'u-eve']);
    });

    it('keeps terms type-exact: 30 is not "30", true is not 1, 35.5 is a number; arrays match when they hold a value', async () => {
      expect(await found({ query: { terms: { age: [30, '40', true, 35.5] } } })).toEqual(['u-ann', 'u-eve']);
      expect(await found({ query: { terms: { age: ['30', 1] } } })).toEqual(['u-cid']);
      expect(await found({ query: { terms: { active: [false, null] } } })).toEqual(['u-bob']);
      expect(await found({ query: { terms: { tags: ['zzz', 'a'] } } })).toEqual(['u-ann']);
      expect(await found({ query: { terms: { address: ['Paris'] } } })).toEqual([]);
      expect(await found({ query: { terms: { name: [] } } })).toEqual([]);
    });

    it('takes 10,000 values in all: 10 terms of 1000 ids work, 40 (a 500 "too many SQL variables" before) are a 400 that says why', async () => {
      const should = (lists: number) => ({ query: { bool: { should: Array.from({ length: lists }, (_, i) => ({ terms: { _id: i === 0 ? ['u-dan', ...misses(999, 'a0')] : misses(1000, `a${i}`) } })) } } });
      expect(await found(should(10))).toEqual(['u-dan']);
      for (const lists of [11, 40]) {
        const error = await refused(should(lists));
        expect(error).toMatchObject({ status: 400, id: 'services.storage.invalid_query' });
        expect(error.message).toBe('Invalid query on collection "users": a query holds at most 10000 values in all (ids, term and terms).');
      }
    });

    it('takes 1,000,000 characters of values in all', async () => {
      const error = await refused({ query: { terms: { name: ['x'.repeat(500_000), 'y'.repeat(500_001)] } } });
      expect(error).toMatchObject({ status: 400, id: 'services.storage.invalid_query' });
      expect(error.message).toContain('at most 1000000 characters');
    });
  });

  describe('sort', () => {
    const everyone = ['admin', 'u-ann', 'u-bob', 'u-cid', 'u-dan', 'u-eve'];

    it('on _id, ascending or descending, in every form', async () => {
      expect(await found({ sort: ['_id'] })).toEqual(everyone);
      expect(await found({ sort: '_id' })).toEqual(everyone);
      expect(await found({ sort: [{ _id: 'desc' }] })).toEqual([...everyone].reverse());
      expect(await found({ sort: [{ _id: { order: 'desc' } }] })).toEqual([...everyone].reverse());
      expect(await found({ sort: { _id: 'DESC' } })).toEqual([...everyone].reverse());
    });

    it('on content fields: missing values last in both orders, ties broken by kuid', async () => {
      expect(await found({ sort: 'name' })).toEqual(['u-ann', 'u-bob', 'u-cid', 'u-dan', 'u-eve', 'admin']);
      expect(await found({ sort: [{ name: { order: 'desc' } }] })).toEqual(['u-eve', 'u-dan', 'u-cid', 'u-bob', 'u-ann', 'admin']);
      expect(await found({ sort: [{ 'address.city': 'asc' }] })).toEqual(['u-bob', 'u-ann', 'u-cid', 'admin', 'u-dan', 'u-eve']);
      expect(await found({ sort: [{ 'address.city': 'desc' }, { _id: 'desc' }] })).toEqual(['u-cid', 'u-ann', 'u-bob', 'u-eve', 'u-dan', 'admin']);
      // Numbers compare as numbers (25 < 30 < 35.5 < 40), not as text.
      expect(await found({ query: { ids: { values: ['u-ann', 'u-bob', 'u-dan', 'u-eve'] } }, sort: [{ age: 'asc' }] })).toEqual(['u-dan', 'u-ann', 'u-eve', 'u-bob']);
    });

    it('pages with from/size and scroll in the sort order', async () => {
      expect(await found({ sort: [{ name: 'desc' }] }, '?from=1&size=2')).toEqual(['u-dan', 'u-cid']);
      const first = await search({ sort: [{ name: 'desc' }] }, '?size=4&scroll=10s');
      expect(first.body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['u-eve', 'u-dan', 'u-cid', 'u-bob']);
      const next = await k.call('GET', `/users/_scroll/${first.body.result.scrollId}`, { jwt: admin });
      expect(next.body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['u-ann', 'admin']);
    });

    it('search_after starts strictly after the given sort values', async () => {
      expect(await found({ sort: ['name'], search_after: ['Bob'] }, '?size=2')).toEqual(['u-cid', 'u-dan']);
      expect(await found({ sort: [{ name: 'desc' }, '_id'], search_after: ['Ann', 'u-ann'] })).toEqual(['admin']);
      // Past a missing value only the same missing value remains, further on in the next key.
      expect(await found({ sort: ['address.city', '_id'], search_after: [null, 'u-dan'] })).toEqual(['u-eve']);
      expect(await found({ sort: ['address.city'], search_after: [null] })).toEqual([]);
      expect(await found({ query: { terms: { _id: ['u-ann', 'u-bob'] } }, sort: { active: 'desc' }, search_after: [true] })).toEqual(['u-bob']);
    });

    it('refuses bad sort fields and orders, and search_after out of place, with 400 invalid_query', async () => {
      for (const body of [
        { sort: ["name') OR 1=1 --"] },
        { sort: [{ 'a.$[0]': 'asc' }] },
        { sort: [{ name: 'up' }] },
        { sort: [{ name: { order: 'asc', missing: '_first' } }] },
        { sort: [{ name: 'asc', age: 'desc' }] },
        { sort: 5 },
        { sort: ['name', { name: 'desc' }] },
        { sort: misses(9, 'f').map((field) => field.replace('-', '_')) },
        { search_after: ['Ann'] },
        { sort: ['name'], search_after: ['Ann', 'u-ann'] },
        { sort: ['name'], search_after: 'Ann' },
      ]) {
        expect(await refused(body), JSON.stringify(body)).toMatchObject({ status: 400, id: 'services.storage.invalid_query' });
      }
      expect(await refused({ sort: ['name'], search_after: ['Ann'] }, '?scroll=10s')).toMatchObject({ status: 400, id: 'services.storage.invalid_query' });
      expect(await refused({ sort: ['name'], search_after: ['Ann'] }, '?from=2')).toMatchObject({ status: 400, id: 'services.storage.invalid_query' });
      expect((await refused({ sort: [{ 'bad field': 'asc' }] })).message).toContain('cannot sort on "bad field"');
    });
  });

  describe('kuzzle-sdk SearchResult.next()', () => {
    let kuzzle: Kuzzle;

    beforeAll(async () => {
      const port = Number(new URL(await k.kernel.listen()).port);
      kuzzle = new Kuzzle(new Http('127.0.0.1', { port }));
      await kuzzle.connect();
      await kuzzle.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    });
    afterAll(() => kuzzle.disconnect());

    /** Every hit of a search, following next() to the end. */
    async function walk(body: Record<string, unknown>, options: { size?: number; scroll?: string }): Promise<string[]> {
      const ids: string[] = [];
      let page = await kuzzle.security.searchUsers(body, options);
      for (let calls = 0; page !== null && calls < 10; calls++) {
        ids.push(...page.hits.map((user) => user._id));
        page = await page.next();
      }
      return ids;
    }

    it('walks every user by from/size without sort, by search_after with sort, and by scroll', async () => {
      expect(await walk({ query: { match_all: {} } }, { size: 4 })).toEqual(['admin', 'u-ann', 'u-bob', 'u-cid', 'u-dan', 'u-eve']);
      expect(await walk({ sort: [{ name: 'desc' }, '_id'] }, { size: 2 })).toEqual(['u-eve', 'u-dan', 'u-cid', 'u-bob', 'u-ann', 'admin']);
      expect(await walk({ query: { terms: { _id: ['u-ann', 'u-bob', 'u-dan', 'u-eve'] } }, sort: { age: 'desc' } }, { size: 1 })).toEqual(['u-bob', 'u-eve', 'u-ann', 'u-dan']);
      expect(await walk({ sort: ['address.city'] }, { size: 2, scroll: '10s' })).toEqual(['u-bob', 'u-ann', 'u-cid', 'admin', 'u-dan', 'u-eve']);
    });
  });

  describe('SQLite errors', () => {
    it('a search SQLite refuses is a logged 400 invalid_query, never a 500', async () => {
      // No query the compiler accepts can reach SQLite's limits any more; a
      // row whose content is not JSON makes json_each fail the same way.
      await k.createUser(admin, 'zed', undefined, 'u-zed');
      const db = new Database(join(k.dataDir, 'kernel.sqlite'));
      try {
        db.prepare("UPDATE users SET content = '{not json' WHERE id = 'u-zed'").run();
        const error = await refused({ query: { term: { name: 'Ann' } } });
        expect(error).toEqual({ status: 400, id: 'services.storage.invalid_query', message: 'Invalid query on collection "users": the query is too large or too complex to run.' });
        const logged = k.logs().filter((line) => line.includes('SQLite refused a user search'));
        expect(logged).toHaveLength(1);
        expect(logged[0]).toContain('malformed JSON');
      } finally {
        db.prepare("UPDATE users SET content = '{\"profileIds\":[\"default\"]}' WHERE id = 'u-zed'").run();
        db.close();
      }
      expect(await found({ query: { term: { name: 'Ann' } } })).toEqual(['u-ann']);
    });
  });
});

describe('ScrollCursors: bounded memory', () => {
  const query = (chars: number) => ({ filter: { sql: 'id IN (?)', params: ['x'.repeat(chars)] }, order: { sql: 'id', params: [] }, after: { sql: '1', params: [] } });
  const open = (cursors: ScrollCursors, chars: number) => cursors.open({ query: query(chars), offset: 0, size: 10, total: 0, ttlMs: 60_000 });

  it('keeps at most 1000 cursors: the least recently used goes first', () => {
    const cursors = new ScrollCursors();
    const ids = Array.from({ length: 1000 }, () => open(cursors, 10));
    cursors.take(ids[0]!);
    open(cursors, 10);
    expect(() => cursors.take(ids[1]!)).toThrow('Non-existing or expired scroll identifier');
    expect(cursors.take(ids[0]!).size).toBe(10);
  });

  it('keeps at most 32 million characters of queries: large cursors push out the oldest', () => {
    const cursors = new ScrollCursors();
    const ids = Array.from({ length: 40 }, () => open(cursors, 1_000_000));
    const alive = ids.filter((id) => {
      try {
        cursors.take(id);
        return true;
      } catch {
        return false;
      }
    });
    // Each holds 1,000,012 characters (its value and SQL): 31 fit in 32 million.
    expect(alive).toEqual(ids.slice(-31));
    // Small cursors still fit beside them, without dropping more.
    const small = open(cursors, 10);
    expect(cursors.take(small).offset).toBe(0);
    expect(cursors.take(ids.at(-1)!).offset).toBe(0);
  });
});
