import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, SearchQuery } from '@portcullis/sdk-plugin/protocol';
import { PluginStore } from '../../kernel/storage/plugin-store.js';
import { tempDir } from '../helpers/fixtures.js';

let dir: string;
let opened: PluginStore[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-store-'));
  opened = [];
});

afterEach(() => {
  for (const store of opened) {
    try {
      store.close();
    } catch {
      // already closed by the test
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function open(name = 'local'): PluginStore {
  const store = PluginStore.open(join(dir, 'plugins', `${name}.sqlite`));
  opened.push(store);
  return store;
}

/** A users collection as the local strategy would declare it. */
function usersStore(name = 'local'): PluginStore {
  const store = open(name);
  store.declareCollection({
    name: 'users',
    indexes: [{ field: 'login', unique: true }, { field: 'age' }, { field: 'profile.city' }, { field: 'active' }],
  });
  return store;
}

/** Plugin input is untrusted: tests pass values the types forbid. */
function hostile<T>(value: unknown): T {
  return value as T;
}

function errorOf(action: () => unknown): PluginError {
  try {
    action();
  } catch (error) {
    if (error instanceof PluginError) return error;
    throw error;
  }
  throw new Error('expected a PluginError, nothing was thrown');
}

function expectError(action: () => unknown, id: string, status: number): PluginError {
  const error = errorOf(action);
  expect({ id: error.id, status: error.status }).toEqual({ id, status });
  return error;
}

// Statuses are Kuzzle's for the ids Kuzzle defines (unknown_collection is a
// PreconditionError, document_already_exists a BadRequestError).
const INVALID_ARGUMENT = 'services.storage.invalid_argument';
const UNKNOWN_COLLECTION = 'services.storage.unknown_collection';
const INVALID_QUERY = 'services.storage.invalid_query';
const NOT_INDEXED = 'services.storage.not_indexed';

function ids(result: { hits: Array<{ _id: string }> }): string[] {
  return result.hits.map((hit) => hit._id);
}

describe('PluginStore: files and declarations', () => {
  it('opens a WAL database and round-trips a document', () => {
    const store = usersStore();
    const created = store.create('users', null, { login: 'ada', age: 36 });
    expect(created._id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.get('users', created._id)).toEqual({ _id: created._id, _source: { login: 'ada', age: 36 } });
    expect(store.get('users', 'nobody')).toBeNull();
    store.close();
    const raw = new Database(join(dir, 'plugins', 'local.sqlite'));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps two namespaces apart even with the same collection names', () => {
    const local = usersStore('local');
    const oauth = usersStore('oauth');
    local.create('users', 'ada', { login: 'ada' });
    oauth.create('users', 'bob', { login: 'ada' }); // unique per file, not across files
    expect(local.get('users', 'bob')).toBeNull();
    expect(oauth.get('users', 'ada')).toBeNull();
    expect(ids(local.search('users', {}))).toEqual(['ada']);
    expect(oauth.count('users')).toBe(1);
  });

  it('keeps data and declared indexes across close and reopen', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada', age: 36 });
    store.close();
    const reopened = open();
    expect(reopened.get('users', 'ada')?._source).toEqual({ login: 'ada', age: 36 });
    expect(ids(reopened.search('users', { where: { age: { gte: 30 } } }))).toEqual(['ada']);
    expectError(() => reopened.create('users', 'bis', { login: 'ada' }), 'services.storage.unique_violation', 412);
  });

  it('re-declaring is idempotent, adds new indexes and drops undeclared ones', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada', age: 36, email: 'ada@example.com' });
    store.declareCollection({ name: 'users', indexes: [{ field: 'login', unique: true }, { field: 'age' }, { field: 'profile.city' }, { field: 'active' }] });
    store.declareCollection({ name: 'users', indexes: [{ field: 'email', unique: true }] });
    expect(ids(store.search('users', { where: { email: 'ada@example.com' } }))).toEqual(['ada']);
    expectError(() => store.search('users', { where: { age: 36 } }), NOT_INDEXED, 400);
    store.create('users', 'bis', { login: 'ada' }); // login is no longer unique
    store.close();
    const raw = new Database(join(dir, 'plugins', 'local.sqlite'));
    const indexes = raw.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`).all();
    raw.close();
    expect(indexes).toEqual([{ sql: expect.stringContaining(`json_extract(body, '$.email')`) }]);
    const reopened = open();
    expectError(() => reopened.search('users', { where: { login: 'ada' } }), NOT_INDEXED, 400);
  });

  it('refuses a unique index that existing data violates and keeps the old declaration', () => {
    const store = usersStore();
    store.create('users', 'a', { login: 'a', email: 'same' });
    store.create('users', 'b', { login: 'b', email: 'same' });
    const error = expectError(
      () => store.declareCollection({ name: 'users', indexes: [{ field: 'email', unique: true }] }),
      'services.storage.unique_violation',
      412,
    );
    expect(error.props).toEqual(['users', 'email']);
    expect(store.count('users', { login: 'a' })).toBe(1);
  });

  it.each([
    ['upper case', 'Users'],
    ['dot', 'a.b'],
    ['dot-dot', '..'],
    ['slash', 'a/b'],
    ['quote', `x'y`],
    ['double quote', 'x"y'],
    ['SQL', 'x; DROP TABLE y'],
    ['accent', 'usérs'],
    ['cyrillic look-alike', 'usеrs'],
    ['zero-width space', 'users\u200b'],
    ['empty', ''],
    ['65 characters', `a${'b'.repeat(64)}`],
    ['not a string', 42],
  ])('refuses a collection name with %s', (_label, name) => {
    const store = usersStore();
    expectError(() => store.declareCollection({ name: hostile<string>(name), indexes: [] }), INVALID_ARGUMENT, 400);
    expectError(() => store.get(hostile<string>(name), 'x'), INVALID_ARGUMENT, 400);
  });

  it.each([
    ['quote', `a'b`],
    ['empty segment', 'a..b'],
    ['trailing dot', 'a.'],
    ['JSON path', '$.x'],
    ['SQL', 'x); DROP TABLE c_users; --'],
    ['_id', '_id'],
    ['not a string', 7],
  ])('refuses an index field with %s', (_label, field) => {
    const store = open();
    const error = expectError(
      () => store.declareCollection({ name: 'users', indexes: [{ field: hostile<string>(field) }] }),
      INVALID_ARGUMENT,
      400,
    );
    expect(error.props[0]).toBe('indexes');
    expectError(() => store.get('users', 'x'), UNKNOWN_COLLECTION, 412);
  });

  it('limits indexes to 16 distinct fields and collections to 64', () => {
    const store = open();
    const fields = Array.from({ length: 17 }, (_, i) => ({ field: `f${i}` }));
    expectError(() => store.declareCollection({ name: 'c', indexes: fields }), INVALID_ARGUMENT, 400);
    store.declareCollection({ name: 'c', indexes: fields.slice(0, 16) });
    expectError(() => store.declareCollection({ name: 'd', indexes: [{ field: 'a' }, { field: 'a' }] }), INVALID_ARGUMENT, 400);
    expectError(() => store.declareCollection(hostile({ name: 'd', indexes: [{ field: 'a', unique: 'yes' }] })), INVALID_ARGUMENT, 400);
    for (let i = 1; i < 64; i++) store.declareCollection({ name: `c${i}`, indexes: [] });
    expectError(() => store.declareCollection({ name: 'one-too-many', indexes: [] }), INVALID_ARGUMENT, 400);
    store.declareCollection({ name: 'c', indexes: [] }); // re-declaring an existing one still works
  });

  it('answers unknown_collection for a valid but undeclared name', () => {
    const store = usersStore();
    const error = expectError(() => store.create('logins', 'x', {}), UNKNOWN_COLLECTION, 412);
    expect(error.props).toEqual(['local', 'logins']);
  });
});

describe('PluginStore: documents', () => {
  it('refuses a duplicate id with document_already_exists', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada' });
    expectError(() => store.create('users', 'ada', { login: 'other' }), 'services.storage.document_already_exists', 400);
    expect(store.get('users', 'ada')?._source).toEqual({ login: 'ada' });
  });

  it('names the field of a unique violation, never the value, on every write', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'secret-login' });
    store.create('users', 'bob', { login: 'bob' });
    const writes = [
      () => store.create('users', null, { login: 'secret-login' }),
      () => store.replace('users', 'bob', { login: 'secret-login' }),
      () => store.createOrReplace('users', 'bob', { login: 'secret-login' }),
      () => store.update('users', 'bob', { login: 'secret-login' }),
    ];
    for (const write of writes) {
      const error = expectError(write, 'services.storage.unique_violation', 412);
      expect(error.props).toEqual(['users', 'login']);
      expect(error.message).not.toContain('secret-login');
    }
    expect(store.get('users', 'bob')?._source).toEqual({ login: 'bob' });
    store.create('users', 'carl', { age: 3 }); // several documents without the field are fine
    store.create('users', 'dan', { age: 4 });
  });

  it('treats hostile ids as ordinary data', () => {
    const store = usersStore();
    const hostileIds = ['../x', `a'; DROP TABLE x; --`, `"); DROP TABLE c_users; --`, 'x'.repeat(512), '💥 ünï', '%_*'];
    for (const id of hostileIds) store.create('users', id, { id });
    for (const id of hostileIds) expect(store.get('users', id)?._source).toEqual({ id });
    expect(store.mGet('users', hostileIds).map((doc) => doc._id)).toEqual(hostileIds);
    expect(store.count('users', { _id: { in: hostileIds } })).toBe(hostileIds.length);
    expect(store.get('users', '%')).toBeNull();
    expect(store.delete('users', '../x')).toBe(true);
    expect(store.count('users')).toBe(hostileIds.length - 1);
  });

  it.each([
    ['empty', ''],
    ['513 characters', 'x'.repeat(513)],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['lone surrogate', 'a\ud800'],
    ['number', 12],
    ['undefined', undefined],
  ])('refuses an id that is %s', (_label, id) => {
    const store = usersStore();
    const badId = hostile<string>(id);
    for (const action of [
      () => store.create('users', badId, {}),
      () => store.get('users', badId),
      () => store.update('users', badId, {}),
      () => store.replace('users', badId, {}),
      () => store.createOrReplace('users', badId, {}),
      () => store.delete('users', badId),
      () => store.mGet('users', [badId]),
    ]) {
      const error = expectError(action, INVALID_ARGUMENT, 400);
      expect(['id', 'ids']).toContain(error.props[0]);
    }
  });

  it.each([
    ['an array', []],
    ['a string', 'x'],
    ['null', null],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a class instance', new (class Credentials {})()],
    ['NaN', { a: Number.NaN }],
    ['Infinity', { a: [Infinity] }],
    ['a function', { a: () => 1 }],
    ['undefined in an array', { a: [1, undefined] }],
    ['a sparse array', { a: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['a bigint', { a: 1n }],
    ['nesting 101 deep', Array.from({ length: 101 }).reduce<JsonObject>((inner) => ({ inner }), {})],
    ['a cycle', (() => { const a: Record<string, unknown> = {}; a.self = a; return a; })()],
  ])('refuses a body that is %s', (_label, body) => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada' });
    const bad = hostile<JsonObject>(body);
    expect(expectError(() => store.create('users', 'x', bad), INVALID_ARGUMENT, 400).props[0]).toBe('body');
    expect(expectError(() => store.replace('users', 'ada', bad), INVALID_ARGUMENT, 400).props[0]).toBe('body');
    expect(expectError(() => store.update('users', 'ada', bad), INVALID_ARGUMENT, 400).props[0]).toBe('changes');
  });

  it('accepts undefined properties as absent, like JSON', () => {
    const store = usersStore();
    expect(store.create('users', 'ada', { login: 'ada', age: hostile(undefined) })._source).toEqual({ login: 'ada' });
    expect(store.update('users', 'ada', { login: hostile(undefined), age: 3 })._source).toEqual({ login: 'ada', age: 3 });
  });

  it('refuses documents over 1 MiB with document_too_large, also after a merge', () => {
    const store = usersStore();
    const half = 'x'.repeat(600 * 1024);
    const error = expectError(() => store.create('users', 'big', { a: half, b: half }), 'services.storage.document_too_large', 413);
    expect(error.props[0]).toBe('users');
    expect(error.props[2]).toBe(String(1024 * 1024));
    store.create('users', 'ada', { a: half });
    expectError(() => store.update('users', 'ada', { b: half }), 'services.storage.document_too_large', 413);
    expect(store.get('users', 'ada')?._source).toEqual({ a: half });
  });

  it('mGet returns found documents in the order asked', () => {
    const store = usersStore();
    for (const id of ['a', 'b', 'c']) store.create('users', id, { n: id });
    expect(store.mGet('users', ['c', 'missing', 'a', 'b']).map((doc) => doc._id)).toEqual(['c', 'a', 'b']);
    expect(store.mGet('users', [])).toEqual([]);
    expectError(() => store.mGet('users', Array.from({ length: 1001 }, (_, i) => `id${i}`)), INVALID_ARGUMENT, 400);
    expectError(() => store.mGet('users', hostile('a')), INVALID_ARGUMENT, 400);
  });

  it('update deep-merges objects, replaces arrays and scalars, and sets null', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada', profile: { city: 'London', tags: ['a', 'b'], links: { web: 'w' } }, age: 36 });
    const updated = store.update('users', 'ada', { profile: { tags: ['c'], links: { git: 'g' } }, age: null, extra: { x: 1 } });
    const expected = { login: 'ada', profile: { city: 'London', tags: ['c'], links: { web: 'w', git: 'g' } }, age: null, extra: { x: 1 } };
    expect(updated).toEqual({ _id: 'ada', _source: expected });
    expect(store.get('users', 'ada')?._source).toEqual(expected);
    expect(store.update('users', 'ada', { profile: 'flat' })._source.profile).toBe('flat');
    const error = expectError(() => store.update('users', 'nobody', { a: 1 }), 'services.storage.not_found', 404);
    expect(error.props).toEqual(['nobody', 'local', 'users']);
  });

  it('update keeps a __proto__ key as data', () => {
    const store = usersStore();
    store.create('users', 'ada', { login: 'ada' });
    const changes = JSON.parse('{"__proto__": {"polluted": true}}') as JsonObject;
    const updated = store.update('users', 'ada', changes);
    expect(Object.hasOwn(updated._source, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(updated._source)).toBe(Object.prototype);
  });

  it('replace needs an existing document; createOrReplace does not', () => {
    const store = usersStore();
    expectError(() => store.replace('users', 'ada', { login: 'ada' }), 'services.storage.not_found', 404);
    expect(store.createOrReplace('users', 'ada', { login: 'ada', age: 1 })._source).toEqual({ login: 'ada', age: 1 });
    expect(store.createOrReplace('users', 'ada', { login: 'ada2' })._source).toEqual({ login: 'ada2' });
    expect(store.replace('users', 'ada', { age: 2 })).toEqual({ _id: 'ada', _source: { age: 2 } });
    expect(store.get('users', 'ada')?._source).toEqual({ age: 2 });
  });

  it('delete answers whether the document existed', () => {
    const store = usersStore();
    store.create('users', 'ada', {});
    expect(store.delete('users', 'ada')).toBe(true);
    expect(store.delete('users', 'ada')).toBe(false);
    expect(store.get('users', 'ada')).toBeNull();
  });
});

describe('PluginStore: search and count', () => {
  function peopleStore(): PluginStore {
    const store = usersStore();
    const people: Array<[string, JsonObject]> = [
      ['p1', { login: 'ada', age: 36, profile: { city: 'London' }, active: true }],
      ['p2', { login: 'bob', age: 25, profile: { city: 'Paris' }, active: false }],
      ['p3', { login: 'cy', age: 41, profile: { city: 'London' }, active: 1 }],
      ['p4', { login: 'dee', age: 25, active: true }],
      ['p5', { login: 'eve', age: '30', profile: { city: null } }],
    ];
    for (const [id, body] of people) store.create('users', id, body);
    return store;
  }

  it('matches equality, null, in and ranges, with types kept apart', () => {
    const store = peopleStore();
    const search = (where: SearchQuery['where']): string[] => ids(store.search('users', { where }));
    expect(search({ 'profile.city': 'London' })).toEqual(['p1', 'p3']);
    expect(search({ 'profile.city': null })).toEqual(['p4', 'p5']);
    expect(search({ active: true })).toEqual(['p1', 'p4']); // not p3, whose 1 is a number
    expect(search({ active: 1 })).toEqual(['p3']);
    expect(search({ login: { in: ['bob', 'eve', 'zed'] } })).toEqual(['p2', 'p5']);
    expect(search({ age: { gt: 25, lte: 41 } })).toEqual(['p1', 'p3']); // not p5, whose '30' is a string
    expect(search({ age: { gte: '3' } })).toEqual(['p5']);
    expect(search({ age: 25, 'profile.city': 'Paris' })).toEqual(['p2']);
    expect(search({ _id: 'p3' })).toEqual(['p3']);
    expect(search({ _id: { in: ['p4', 'p1'] } })).toEqual(['p1', 'p4']);
    expect(search({ _id: { gte: 'p2', lt: 'p4' } })).toEqual(['p2', 'p3']);
    expect(search({})).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('sorts, pages and counts the total', () => {
    const store = peopleStore();
    const byAge = store.search('users', { where: { age: { gte: 0 } }, sort: [{ field: 'age', order: 'desc' }] });
    expect(ids(byAge)).toEqual(['p3', 'p1', 'p2', 'p4']); // equal ages ordered by _id
    expect(ids(store.search('users', { sort: [{ field: '_id', order: 'desc' }] }))).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    const page = store.search('users', { sort: [{ field: 'login' }], from: 1, size: 2 });
    expect(ids(page)).toEqual(['p2', 'p3']);
    expect(page.total).toBe(5);
    expect(store.search('users', { where: { age: 25 }, size: 0 })).toEqual({ hits: [], total: 2 });
    expect(store.search('users', { from: 4, size: 10 }).total).toBe(5);
    for (let i = 0; i < 20; i++) store.create('users', `q${String(i).padStart(2, '0')}`, {});
    const firstPage = store.search('users', {});
    expect(firstPage.hits).toHaveLength(10); // default size
    expect(firstPage.total).toBe(25);
    expect(firstPage.hits[0]?._id).toBe('p1'); // default order: _id asc
  });

  it('counts with the same where rules', () => {
    const store = peopleStore();
    expect(store.count('users')).toBe(5);
    expect(store.count('users', { age: 25 })).toBe(2);
    expect(store.count('users', { _id: { in: ['p1', 'zz'] } })).toBe(1);
    expectError(() => store.count('users', { email: 'x' }), NOT_INDEXED, 400);
    expectError(() => store.count('users', hostile('age = 25')), INVALID_ARGUMENT, 400);
  });

  it('answers not_indexed for a field without an index, in where and sort', () => {
    const store = peopleStore();
    const error = expectError(() => store.search('users', { where: { email: 'x' } }), NOT_INDEXED, 400);
    expect(error.props).toEqual(['email', 'users']);
    expectError(() => store.search('users', { sort: [{ field: 'profile' }] }), NOT_INDEXED, 400);
  });

  it.each<[string, unknown]>([
    ['size over 1000', { size: 1001 }],
    ['from + size over 10000', { from: 9995, size: 10 }],
    ['negative from', { from: -1 }],
    ['fractional size', { size: 2.5 }],
    ['string size', { size: '10' }],
    ['empty in', { where: { login: { in: [] } } }],
    ['1001 values in', { where: { login: { in: Array.from({ length: 1001 }, (_, i) => `l${i}`) } } }],
    ['mixed in', { where: { age: { in: [1, '1'] } } }],
    ['null in in', { where: { age: { in: [null] } } }],
    ['in with another key', { where: { age: { in: [1], gt: 0 } } }],
    ['empty range', { where: { age: {} } }],
    ['unknown operator', { where: { age: { ne: 1 } } }],
    ['boolean range', { where: { age: { gt: true } } }],
    ['mixed range', { where: { age: { gt: 1, lt: 'z' } } }],
    ['array value', { where: { age: [1] } }],
    ['undefined value', { where: { login: undefined } }],
    ['NaN', { where: { age: Number.NaN } }],
    ['null _id', { where: { _id: null } }],
    ['numeric _id', { where: { _id: 1 } }],
    ['hostile where key', { where: { "age') OR 1=1 --": 1 } }],
    ['unknown query key', { limit: 1 }],
    ['sort not an array', { sort: { field: 'age' } }],
    ['bad order', { sort: [{ field: 'age', order: 'up' }] }],
    ['sort field twice', { sort: [{ field: 'age' }, { field: 'age', order: 'desc' }] }],
  ])('answers invalid_query for %s', (_label, query) => {
    const store = peopleStore();
    const error = expectError(() => store.search('users', hostile<SearchQuery>(query)), INVALID_QUERY, 400);
    expect(error.props[0]).toBe('users');
  });

  it('answers invalid_argument for a query that is not an object', () => {
    const store = peopleStore();
    const error = expectError(() => store.search('users', hostile<SearchQuery>([])), INVALID_ARGUMENT, 400);
    expect(error.props[0]).toBe('query');
  });

  it('stays correct past the prepared statement cache bound', () => {
    const store = open();
    const fields = Array.from({ length: 16 }, (_, i) => `f${i}`);
    store.declareCollection({ name: 'wide', indexes: fields.map((field) => ({ field })) });
    store.create('wide', 'one', Object.fromEntries(fields.map((field, i) => [field, i])));
    // 16 * 15 two-key sorts plus 16 * 3 condition kinds: ~290 distinct shapes for a 256-entry cache.
    for (const a of fields) {
      for (const b of fields) {
        if (a !== b) expect(store.search('wide', { sort: [{ field: a }, { field: b, order: 'desc' }] }).total).toBe(1);
      }
      expect(store.count('wide', { [a]: Number(a.slice(1)) })).toBe(1);
      expect(store.count('wide', { [a]: { in: [Number(a.slice(1))] } })).toBe(1);
      expect(store.count('wide', { [a]: { gte: 100 } })).toBe(0);
    }
  });
});

describe('atomic operations', () => {
  it('updateIf applies changes only while the expected fields hold', () => {
    const store = PluginStore.open(join(tempDir(), 'atomic.sqlite'));
    store.declareCollection({ name: 'creds', indexes: [] });
    store.create('creds', 'ada', { hash: 'h1', n: 1 });
    expect(store.updateIf('creds', 'ada', { hash: 'h1' }, { hash: 'h2' })).toEqual({ _id: 'ada', _source: { hash: 'h2', n: 1 } });
    // A writer holding the old value loses: nothing is overwritten.
    expect(store.updateIf('creds', 'ada', { hash: 'h1' }, { hash: 'stale' })).toBeNull();
    expect(store.get('creds', 'ada')?._source.hash).toBe('h2');
    expect(store.updateIf('creds', 'missing', { hash: 'h1' }, { hash: 'x' })).toBeNull();
    store.close();
  });

  it('increment creates from initial, then counts, one value per call', () => {
    const store = PluginStore.open(join(tempDir(), 'atomic.sqlite'));
    store.declareCollection({ name: 'failures', indexes: [] });
    expect(store.increment('failures', 'k', 'count', 1, { windowStart: 5 })).toBe(1);
    const values = Array.from({ length: 10 }, () => store.increment('failures', 'k', 'count', 1, { windowStart: 99 }));
    expect(values).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(store.get('failures', 'k')?._source).toEqual({ windowStart: 5, count: 11 });
    expect(() => store.increment('failures', 'k', 'a.b', 1, {})).toThrow(expect.objectContaining({ id: 'services.storage.invalid_argument' }));
    store.close();
  });
});
