/**
 * The security controller's user creation and read actions through the real
 * app, with the real local plugin and `second` (the minimal fixture) for the
 * multi-strategy rollback: createFirstAdmin, createUser, createRestrictedUser,
 * getUser, mGetUsers, searchUsers, scrollUsers, getUserStrategies, and who
 * may call them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

describe('security user actions: creation and reads', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } } } });
    admin = await k.firstAdmin();
    // Users the read tests share: content with nested fields and arrays.
    for (const [kuid, content] of [
      ['u-ann', { profileIds: ['default'], name: 'Ann', address: { city: 'Paris' }, tags: ['a', 'b'], age: 30, active: true }],
      ['u-bob', { profileIds: ['default'], name: 'Bob', address: { city: 'Lyon' }, tags: ['b'], age: 40, active: false }],
      ['u-cid', { profileIds: ['default', 'admin'], name: 'Cid', address: { city: 'Paris' }, age: '30' }],
    ] as const) {
      const created = await k.call('POST', `/users/${kuid}/_create`, { jwt: admin, body: { content } });
      expect(created.status).toBe(200);
    }
  });
  afterAll(() => k.stop());

  const search = (body: unknown, query = '') => k.call('POST', `/users/_search${query}`, { jwt: admin, body });
  const idsOf = (hits: Array<{ _id: string }>) => hits.map((hit) => hit._id);

  describe('creation', () => {
    it('createFirstAdmin a second time is 412 api.process.admin_exists', async () => {
      const again = await k.call('POST', '/_createFirstAdmin/admin2', { body: { credentials: { local: { username: 'admin2', password: ADMIN_PASSWORD } } } });
      expect(errorOf(again)).toEqual({ status: 412, id: 'api.process.admin_exists' });
      expect((await k.call('GET', '/users/admin2', { jwt: admin })).status).toBe(404);
    });

    it('createUser answers {_id, _source} and refuses an unknown profile (404), an unknown strategy (400), an existing kuid (412)', async () => {
      const created = await k.call('POST', '/users/dora/_create', { jwt: admin, body: { content: { profileIds: ['default'], name: 'Dora' } } });
      expect(created.body.result).toEqual({ _id: 'dora', _source: { profileIds: ['default'], name: 'Dora' } });
      const profile = await k.call('POST', '/users/eve/_create', { jwt: admin, body: { content: { profileIds: ['nope'] } } });
      expect(errorOf(profile)).toEqual({ status: 404, id: 'security.profile.not_found' });
      const strategy = await k.call('POST', '/users/eve/_create', { jwt: admin, body: { content: { profileIds: ['default'] }, credentials: { nope: {} } } });
      expect(errorOf(strategy)).toEqual({ status: 400, id: 'security.credentials.unknown_strategy' });
      const existing = await k.call('POST', '/users/dora/_create', { jwt: admin, body: { content: { profileIds: ['default'] } } });
      expect(errorOf(existing)).toEqual({ status: 412, id: 'security.user.already_exists' });
      // None of the refused creations left a user behind.
      expect(errorOf(await k.call('GET', '/users/eve', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
    });

    it("rolls back all or nothing: the second strategy's 400 reaches the client, and neither the user nor the local username remains", async () => {
      const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'frank', password: USER_PASSWORD }, second: { secret: 'no login' } } };
      const failed = await k.call('POST', '/users/frank/_create', { jwt: admin, body });
      expect(failed.status).toBe(400);
      expect(failed.body.error?.message).toBe('login is required');
      expect(errorOf(await k.call('GET', '/users/frank', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect((await k.call('POST', '/_login/local', { body: { username: 'frank', password: USER_PASSWORD } })).status).toBe(401);
      // The local credentials were removed too: the same username is free for a new user.
      expect(await k.createUser(admin, 'frank', USER_PASSWORD, 'frank2')).toBe('frank2');
      expect((await k.call('GET', '/_me', { jwt: await k.login('frank') })).body.result._id).toBe('frank2');
    });

    it('createRestrictedUser gives the configured restricted profiles and refuses content.profileIds', async () => {
      const created = await k.call('POST', '/users/gil/_createRestricted', { jwt: admin, body: { content: { name: 'Gil' }, credentials: { local: { username: 'gil', password: USER_PASSWORD } } } });
      expect(created.body.result).toEqual({ _id: 'gil', _source: { name: 'Gil', profileIds: ['default'] } });
      const chosen = await k.call('POST', '/users/hal/_createRestricted', { jwt: admin, body: { content: { profileIds: ['admin'] } } });
      expect(errorOf(chosen)).toEqual({ status: 400, id: 'api.assert.forbidden_argument' });
      expect(chosen.body.error?.props).toEqual(['body.content.profileIds']);
      expect((await k.call('GET', '/users/hal', { jwt: admin })).status).toBe(404);
    });
  });

  describe('getUser and mGetUsers', () => {
    it('getUser answers {_id, _source}; unknown is 404; "-1" is the built-in anonymous user', async () => {
      expect((await k.call('GET', '/users/u-bob', { jwt: admin })).body.result).toEqual({
        _id: 'u-bob',
        _source: { profileIds: ['default'], name: 'Bob', address: { city: 'Lyon' }, tags: ['b'], age: 40, active: false },
      });
      const unknown = await k.call('GET', '/users/nobody', { jwt: admin });
      expect(errorOf(unknown)).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(unknown.body.error?.message).toBe('User "nobody" not found.');
      expect((await k.call('GET', '/users/-1', { jwt: admin })).body.result).toEqual({ _id: '-1', _source: { profileIds: ['anonymous'] } });
    });

    it('mGetUsers takes body ids or ?ids=a,b, keeps the order asked, and leaves unknown kuids out', async () => {
      const posted = await k.call('POST', '/users/_mGet', { jwt: admin, body: { ids: ['u-bob', 'nobody', 'u-ann', 'u-bob'] } });
      expect(idsOf(posted.body.result.hits)).toEqual(['u-bob', 'u-ann']);
      expect(posted.body.result.hits[1]._source.name).toBe('Ann');
      const got = await k.call('GET', '/users/_mGet?ids=u-cid,u-ann', { jwt: admin });
      expect(idsOf(got.body.result.hits)).toEqual(['u-cid', 'u-ann']);
    });

    it('mGetUsers without ids is 400 missing_argument; more than 1000 ids is 400', async () => {
      expect(errorOf(await k.call('POST', '/users/_mGet', { jwt: admin, body: {} }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      expect(errorOf(await k.call('POST', '/users/_mGet', { jwt: admin, body: { ids: [] } }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      expect(errorOf(await k.call('GET', '/users/_mGet', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      const ids = Array.from({ length: 1001 }, (_, i) => `u${i}`);
      expect(errorOf(await k.call('POST', '/users/_mGet', { jwt: admin, body: { ids } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await k.call('GET', `/users/_mGet?ids=${ids.join(',')}`, { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });

  describe('searchUsers', () => {
    it('match_all (or no query) answers every user, ordered by kuid, with the total', async () => {
      const all = await search({ query: { match_all: {} } }, '?size=100');
      expect(all.body.result.total).toBe(all.body.result.hits.length);
      expect(idsOf(all.body.result.hits)).toEqual([...idsOf(all.body.result.hits)].sort());
      expect(idsOf(all.body.result.hits)).toEqual(expect.arrayContaining(['admin', 'u-ann', 'u-bob', 'u-cid']));
      expect((await search(undefined, '?size=100')).body.result).toEqual(all.body.result);
      expect(all.body.result.scrollId).toBeUndefined();
    });

    it('ids, and terms on _id', async () => {
      expect(idsOf((await search({ query: { ids: { values: ['u-cid', 'u-ann', 'nobody'] } } })).body.result.hits)).toEqual(['u-ann', 'u-cid']);
      expect(idsOf((await search({ query: { terms: { _id: ['u-bob', 'u-cid'] } } })).body.result.hits)).toEqual(['u-bob', 'u-cid']);
      expect((await search({ query: { ids: { values: [] } } })).body.result).toEqual({ hits: [], total: 0 });
    });

    it('term and match are equality on content fields, dotted paths and arrays included, typed', async () => {
      const found = async (query: unknown) => idsOf((await search({ query })).body.result.hits);
      expect(await found({ term: { name: 'Ann' } })).toEqual(['u-ann']);
      expect(await found({ match: { 'address.city': 'Paris' } })).toEqual(['u-ann', 'u-cid']);
      expect(await found({ match: { 'address.city': { query: 'Lyon' } } })).toEqual(['u-bob']);
      expect(await found({ term: { tags: 'b' } })).toEqual(['u-ann', 'u-bob']);
      expect(await found({ term: { profileIds: { value: 'admin' } } })).toEqual(['admin', 'u-cid']);
      // 30 and "30" differ, as true and 1 do; an object field is not matched by a scalar.
      expect(await found({ term: { age: 30 } })).toEqual(['u-ann']);
      expect(await found({ term: { age: '30' } })).toEqual(['u-cid']);
      expect(await found({ term: { active: false } })).toEqual(['u-bob']);
      expect(await found({ term: { address: 'Paris' } })).toEqual([]);
      expect(await found({ terms: { tags: ['a', 'zzz'] } })).toEqual(['u-ann']);
      expect(await found({ term: { name: "Ann' OR 1=1 --" } })).toEqual([]);
    });

    it('bool: must, filter, should, must_not', async () => {
      const found = async (query: unknown) => idsOf((await search({ query })).body.result.hits);
      expect(await found({ bool: { must: [{ match: { 'address.city': 'Paris' } }], must_not: { term: { name: 'Cid' } } } })).toEqual(['u-ann']);
      expect(await found({ bool: { should: [{ term: { name: 'Bob' } }, { term: { name: 'Cid' } }] } })).toEqual(['u-bob', 'u-cid']);
      expect(await found({ bool: { filter: { term: { tags: 'b' } }, should: { term: { name: 'nobody' } } } })).toEqual(['u-ann', 'u-bob']);
    });

    it('from and size page the results (size at most 1000); total counts them all', async () => {
      const query = { query: { term: { profileIds: 'default' } } };
      const first = await search(query, '?size=2');
      const second = await search(query, '?from=2&size=2');
      expect(first.body.result.total).toBe(second.body.result.total);
      expect(first.body.result.hits).toHaveLength(2);
      expect(idsOf(second.body.result.hits)).not.toContain(first.body.result.hits[0]._id);
      expect(errorOf(await search(query, '?size=1001'))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await search(query, '?from=-1'))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });

    it('refuses what it does not support: unknown keywords, bad field names, malformed clauses, other body keys', async () => {
      expect(errorOf(await search({ query: { range: { age: { gte: 1 } } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query_keyword' });
      expect(errorOf(await search({ query: { bool: { maybe: [] } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query_keyword' });
      expect(errorOf(await search({ query: { term: { "name') OR 1=1 --": 'x' } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      expect(errorOf(await search({ query: { term: { 'a.$[0]': 'x' } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      expect(errorOf(await search({ query: { term: { name: 'a', age: 1 } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      expect(errorOf(await search({ query: { term: { name: { nested: 1 } } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      expect(errorOf(await search({ query: { terms: { _id: 'u-ann' } } }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      let deep: unknown = { match_all: {} };
      for (let i = 0; i < 10; i++) deep = { bool: { must: deep } };
      expect(errorOf(await search({ query: deep }))).toEqual({ status: 400, id: 'services.storage.invalid_query' });
      expect(errorOf(await search({ query: {}, aggregations: {} }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });

  describe('scroll', () => {
    it('searchUsers with scroll answers a scrollId; scrollUsers walks the next pages to the end', async () => {
      const first = await search({ query: { term: { profileIds: 'default' } } }, '?size=2&scroll=1m');
      const { total, scrollId } = first.body.result;
      expect(total).toBeGreaterThan(2);
      expect(typeof scrollId).toBe('string');
      const seen = idsOf(first.body.result.hits);
      for (let page = 0; page < 10 && seen.length < total; page++) {
        const next = await k.call('GET', `/users/_scroll/${scrollId}?scroll=30s`, { jwt: admin });
        expect(next.body.result).toMatchObject({ total, scrollId });
        seen.push(...idsOf(next.body.result.hits));
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect((await k.call('GET', `/users/_scroll/${scrollId}`, { jwt: admin })).body.result.hits).toEqual([]);
    });

    it('an unknown scrollId is 404; a scroll past 1 minute or unreadable is 400', async () => {
      const unknown = await k.call('GET', '/users/_scroll/not-a-cursor', { jwt: admin });
      expect(errorOf(unknown)).toEqual({ status: 404, id: 'services.storage.unknown_scroll_id' });
      expect(errorOf(await search({}, '?scroll=1h'))).toEqual({ status: 400, id: 'services.storage.scroll_duration_too_great' });
      expect(errorOf(await search({}, '?scroll=soon'))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });

  describe('getUserStrategies', () => {
    it('answers {strategies, total} from each strategy; unknown user 404; anonymous has none', async () => {
      await k.call('POST', '/users/ivy/_create', {
        jwt: admin,
        body: { content: { profileIds: ['default'] }, credentials: { local: { username: 'ivy', password: USER_PASSWORD }, second: { login: 'ivy', secret: 's' } } },
      });
      expect((await k.call('GET', '/users/ivy/_strategies', { jwt: admin })).body.result).toEqual({ strategies: ['local', 'second'], total: 2 });
      expect((await k.call('GET', '/users/u-ann/_strategies', { jwt: admin })).body.result).toEqual({ strategies: [], total: 0 });
      expect(errorOf(await k.call('GET', '/users/nobody/_strategies', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect((await k.call('GET', '/users/-1/_strategies', { jwt: admin })).body.result).toEqual({ strategies: [], total: 0 });
    });
  });

  describe('rights', () => {
    it('a default user is 403 security.rights.forbidden and anonymous 401 security.rights.unauthorized on every security user action', async () => {
      await k.createUser(admin, 'jay', USER_PASSWORD, 'jay');
      const jay = await k.login('jay');
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/users/u-ann'],
        ['POST', '/users/_mGet', { ids: ['u-ann'] }],
        ['POST', '/users/_search', {}],
        ['GET', '/users/_scroll/x'],
        ['GET', '/users/u-ann/_strategies'],
        ['POST', '/users/_create', { content: { profileIds: ['admin'] } }],
        ['POST', '/users/_createRestricted', {}],
        ['PUT', '/users/jay/_update', { profileIds: ['admin'] }],
        ['PUT', '/users/jay/_replace', { profileIds: ['admin'] }],
        ['POST', '/users/jay/_upsert', { content: { profileIds: ['admin'] } }],
        ['DELETE', '/users/u-ann'],
        ['POST', '/users/_mDelete', { ids: ['u-ann'] }],
        ['DELETE', '/users/u-ann/tokens'],
      ];
      for (const [method, path, body] of calls) {
        const asJay = await k.call(method, path, { jwt: jay, ...(body === undefined ? {} : { body }) });
        expect({ path, ...errorOf(asJay) }).toEqual({ path, status: 403, id: 'security.rights.forbidden' });
        const asAnonymous = await k.call(method, path, body === undefined ? {} : { body });
        expect({ path, ...errorOf(asAnonymous) }).toEqual({ path, status: 401, id: 'security.rights.unauthorized' });
      }
      // Nothing was changed by the refused calls.
      expect((await k.call('GET', '/users/jay', { jwt: admin })).body.result._source.profileIds).toEqual(['default']);
      expect((await k.call('GET', '/users/u-ann', { jwt: admin })).status).toBe(200);
    });
  });
});
