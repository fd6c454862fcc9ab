// A plugin trying to reach another namespace through the Repository API in
// a real kernel: every crafted name is refused with
// services.storage.invalid_argument or stays inside its own SQLite file; the
// victim's namespace and the kernel database are read back unchanged.
// The store's own rules, case by case: test/storage/plugin-store.test.ts.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseContent, folderListing, startHostileKernel, type HostileKernel } from '../helpers/hostile-kernel.js';

const INVALID = 'services.storage.invalid_argument';

let k: HostileKernel;
let before: { kernel: Record<string, unknown[]>; victim: Record<string, unknown[]>; namespaces: string[] };
beforeAll(async () => {
  k = await startHostileKernel({ 'hostile-storage': { fixture: 'hostile-storage' } });
  before = { kernel: databaseContent(k.kernelDb), victim: databaseContent(k.victimDb), namespaces: folderListing(join(k.dataDir, 'plugins')) };
});
afterAll(() => k.stop());

const attack = (name: string, args: Record<string, unknown>) => k.attack('hostile-storage', name, args as never) as Promise<Record<string, unknown>>;

describe('crafted names through the Repository API', () => {
  it('refuses collection names that are paths, SQL, control characters, too long or not ASCII', async () => {
    const names = ['../kernel', '..', 'plugins/victim', "a'b", 'a"b', 'a;drop table c_credentials', 'a\u0000b', `a${'b'.repeat(64)}`, 'ünï', 'Credentials', ''];
    const report = await attack('collections', { names });
    expect(report).toEqual(Object.fromEntries(names.map((name) => [name, INVALID])));
  });

  it("keeps valid names that echo another namespace's, SQLite's or SQL inside its own file", async () => {
    const names = ['credentials', 'kernel', 'sqlite_master', 'portcullis_collections', 'a--'];
    const report = await attack('collections', { names });
    expect(report).toEqual(Object.fromEntries(names.map((name) => [name, 'ALLOWED: null'])));
    const own = databaseContent(join(k.dataDir, 'plugins', 'hostile-storage.sqlite'));
    expect(Object.keys(own)).toEqual(expect.arrayContaining(['c_credentials', 'c_kernel', 'c_sqlite_master', 'c_portcullis_collections', 'c_a--']));
  });

  it('stores ids with path and SQL characters as plain data, and refuses unprintable ones', async () => {
    const ids = ['../x', '../../kernel.sqlite', '/etc/passwd', "a'; DROP TABLE c_loot; --", '"); DROP TABLE portcullis_collections; --', '%', '*', 'x'.repeat(512), 'ünï 💥'];
    const { report, stored } = (await attack('ids', { ids: [...ids, 'a\u0000b', 'a\nb', '', 'x'.repeat(513)] })) as { report: Record<string, string>; stored: string[] };
    expect(stored).toEqual([...ids].sort());
    for (const id of ids) expect(report[id]).toBe(`ALLOWED: ${JSON.stringify(id)}`);
    for (const id of ['a\u0000b', 'a\nb', '', 'x'.repeat(513)]) expect(report[id]).toBe(INVALID);
  });

  it('refuses crafted index fields and queries', async () => {
    const fields = ["x'); DROP TABLE c_loot; --", '$.x', 'a..b', 'login"'];
    await expect(attack('fields', { fields })).resolves.toEqual(Object.fromEntries(fields.map((field) => [field, INVALID])));
    const queries = [
      { where: { "login') OR 1=1 --": 'x' } },
      { where: { login: { $raw: '1=1' } } },
      { sort: [{ field: '_id; DROP TABLE c_loot' }] },
      { sort: [{ field: 'login', order: 'desc; DROP TABLE c_loot' }] },
    ];
    const report = await attack('queries', { queries });
    expect(Object.values(report).every((outcome) => typeof outcome === 'string' && outcome.startsWith('services.storage.'))).toBe(true);
    // A value is only ever a value.
    await expect(attack('queries', { queries: [{ where: { login: "' OR 1=1 --" } }] })).resolves.toEqual({ 'query 0': 'ALLOWED: {"hits":[],"total":0}' });
  });
});

describe('host calls posted straight on the channel', () => {
  it('ignore parameters naming another plugin, namespace or file: the namespace is the channel', async () => {
    const extra = { namespace: 'victim', plugin: 'victim', file: '../kernel.sqlite', db: 'kernel' };
    const report = await attack('raw', {
      calls: {
        getVictimAdmin: { method: 'storage.get', params: { collection: 'credentials', id: 'kuid-admin', ...extra } },
        searchVictim: { method: 'storage.search', params: { collection: 'credentials', query: {}, ...extra } },
        declareInVictim: { method: 'storage.declareCollection', params: { name: 'credentials', indexes: [], ...extra } },
        pathCollection: { method: 'storage.get', params: { collection: '../victim', id: 'x' } },
        unknownMethod: { method: 'storage.attach', params: { file: '../kernel.sqlite' } },
        kernelUsers: { method: 'users.get', params: { kuid: "admin' OR 1=1 --" } },
      },
    });
    expect(report).toEqual({
      // Its own `credentials` collection, declared above: empty.
      getVictimAdmin: 'ALLOWED: null',
      searchVictim: 'ALLOWED: {"hits":[],"total":0}',
      declareInVictim: 'ALLOWED: null',
      pathCollection: INVALID,
      unknownMethod: 'plugin.runtime.malformed_message',
      kernelUsers: 'ALLOWED: null',
    });
  });
});

describe('after every attack', () => {
  it('left the victim namespace and the kernel database as they were, and made no other file', async () => {
    expect(databaseContent(k.victimDb)).toEqual(before.victim);
    expect(databaseContent(k.kernelDb)).toEqual(before.kernel);
    const namespaces = folderListing(join(k.dataDir, 'plugins')).map((entry) => entry.split(' ')[0]);
    expect(namespaces).toEqual(['hostile-storage.sqlite', 'victim.sqlite']);
    expect(before.namespaces.map((entry) => entry.split(' ')[0])).toEqual(namespaces);
    await k.expectServing();
  });
});
