/**
 * Roles and profiles through the real app: create, createOrReplace, update,
 * get, mGet, search, delete, each invariant with its Kuzzle error, and
 * stored definitions surviving a restart.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';
import { tempDir } from '../helpers/fixtures.js';

const reader = { controllers: { security: { actions: { getUser: true, searchUsers: true } } } };

describe('security: roles and profiles', () => {
  const dataDir = tempDir('portcullis-roles-');
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ dataDir });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  const call = (method: string, path: string, body?: unknown) => k.call(method, path, { jwt: admin, ...(body === undefined ? {} : { body }) });

  describe('roles', () => {
    it('creates, reads, replaces, updates, lists and deletes a role, answering Kuzzle shapes', async () => {
      expect((await call('POST', '/roles/reader/_create', reader)).body.result).toEqual({ _id: 'reader', _source: reader });
      expect((await call('GET', '/roles/reader')).body.result).toEqual({ _id: 'reader', _source: reader });
      const wider = { controllers: { security: { actions: { getUser: true, searchUsers: true, mGetUsers: true } } } };
      expect((await call('PUT', '/roles/reader/_update', wider)).body.result._source).toEqual(wider);
      expect((await call('PUT', '/roles/writer', { controllers: { security: { actions: { '*': true } } } })).status).toBe(200);
      const mGet = await call('POST', '/roles/_mGet', { ids: ['reader', 'nope', 'writer'] });
      expect(mGet.body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['reader', 'writer']);
      const all = await call('POST', '/roles/_search', {});
      expect(all.body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['admin', 'anonymous', 'default', 'reader', 'writer']);
      expect(all.body.result.total).toBe(5);
      // A role with a `*` controller (admin) matches any list, as Kuzzle.
      const onSecurity = await call('POST', '/roles/_search?from=1&size=1', { controllers: ['security'] });
      expect(onSecurity.body.result).toEqual({ hits: [{ _id: 'reader', _source: wider }], total: 3 });
      expect((await call('POST', '/roles/_search', { controllers: [] })).body.result.total).toBe(5);
      expect((await call('POST', '/roles/_search', { controllers: ['server'] })).body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['admin', 'anonymous', 'default']);
      expect((await call('DELETE', '/roles/writer')).body.result).toEqual({ _id: 'writer' });
      expect(errorOf(await call('GET', '/roles/writer'))).toEqual({ status: 404, id: 'security.role.not_found' });
    });

    it('refuses a role that exists (create), is missing (update), is malformed, or names actions the server lacks unless forced', async () => {
      await call('PUT', '/roles/twice', reader);
      expect(errorOf(await call('POST', '/roles/twice/_create', reader))).toEqual({ status: 400, id: 'services.storage.document_already_exists' });
      expect(errorOf(await call('PUT', '/roles/ghost/_update', reader))).toEqual({ status: 404, id: 'security.role.not_found' });
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: { auth: { actions: { login: 'yes' } } } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      // A `__proto__` controller is dropped by the schema; nothing is left, so the role is empty.
      const proto = await call('PUT', '/roles/proto', '{"controllers": {"__proto__": {"actions": {"getUser": true}}}}');
      expect(errorOf(proto)).toEqual({ status: 400, id: 'api.assert.empty_argument' });
      // The kernel runs in this process: had the schema assigned `__proto__` on a plain object, every object would now inherit `actions`.
      expect(Object.prototype).not.toHaveProperty('actions');
      expect(errorOf(await call('PUT', '/roles/_bad', reader))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await call('PUT', '/roles/bad'))).toEqual({ status: 400, id: 'api.assert.body_required' });
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: { documents: { actions: { get: true } } } }))).toEqual({ status: 400, id: 'security.role.unknown_controller' });
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: { auth: { actions: { fly: true } } } }))).toEqual({ status: 400, id: 'security.role.unknown_action' });
      // Under `*`, an action must exist in some controller: a typo is not stored silently.
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: { '*': { actions: { getUsr: true } } } }))).toEqual({ status: 400, id: 'security.role.unknown_action' });
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: {} }))).toEqual({ status: 400, id: 'api.assert.empty_argument' });
      expect(errorOf(await call('PUT', '/roles/bad', { controllers: { auth: { actions: {} } } }))).toEqual({ status: 400, id: 'api.assert.empty_argument' });
      expect(errorOf(await call('PUT', `/roles/${'r'.repeat(65)}`, reader))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect((await call('PUT', '/roles/later?force', { controllers: { 'oauth/provider': { actions: { link: true } } } })).status).toBe(200);
      expect(errorOf(await call('GET', '/roles/bad'))).toEqual({ status: 404, id: 'security.role.not_found' });
    });

    it('keeps auth:login in the anonymous role, the standard roles undeletable, the admin role unchangeable, a used role in place', async () => {
      const noLogin = await call('PUT', '/roles/anonymous', { controllers: { auth: { actions: { checkToken: true } } } });
      expect(errorOf(noLogin)).toEqual({ status: 400, id: 'security.role.login_required' });
      const deniedLogin = await call('PUT', '/roles/anonymous', { controllers: { auth: { actions: { '*': true, login: false } } } });
      expect(errorOf(deniedLogin)).toEqual({ status: 400, id: 'security.role.login_required' });
      for (const id of ['admin', 'default', 'anonymous']) expect(errorOf(await call('DELETE', `/roles/${id}`))).toEqual({ status: 400, id: 'security.role.cannot_delete' });
      expect(errorOf(await call('PUT', '/roles/admin', { controllers: { '*': { actions: { '*': true } } } }))).toEqual({ status: 400, id: 'security.rights.admin_protected' });
      await call('PUT', '/roles/used', reader);
      await call('PUT', '/profiles/user-of-used', { policies: [{ roleId: 'used' }] });
      expect(errorOf(await call('DELETE', '/roles/used'))).toEqual({ status: 412, id: 'security.role.in_use' });
      expect(errorOf(await call('DELETE', '/roles/never-was'))).toEqual({ status: 404, id: 'security.role.not_found' });
      expect((await call('GET', '/roles/anonymous')).body.result._source.controllers.auth.actions.login).toBe(true);
    });
  });

  describe('profiles', () => {
    it('creates, reads, updates, lists and deletes a profile; rateLimit defaults to 0', async () => {
      await call('PUT', '/roles/p-reader', reader);
      const created = await call('POST', '/profiles/readers/_create', { policies: [{ roleId: 'p-reader' }] });
      expect(created.body.result).toEqual({ _id: 'readers', _source: { policies: [{ roleId: 'p-reader' }], rateLimit: 0 } });
      const limited = await call('PUT', '/profiles/readers/_update', { rateLimit: 50 });
      expect(limited.body.result._source).toEqual({ policies: [{ roleId: 'p-reader' }], rateLimit: 50 });
      const widened = await call('PUT', '/profiles/readers/_update', { policies: [{ roleId: 'p-reader' }, { roleId: 'default' }] });
      expect(widened.body.result._source).toEqual({ policies: [{ roleId: 'p-reader' }, { roleId: 'default' }], rateLimit: 50 });
      expect((await call('GET', '/profiles/readers')).body.result).toEqual(widened.body.result);
      const mGet = await call('POST', '/profiles/_mGet', { ids: ['readers', 'nope', 'admin'] });
      expect(mGet.body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['readers', 'admin']);
      const byRole = await call('POST', '/profiles/_search', { roles: ['p-reader'] });
      expect(byRole.body.result).toEqual({ hits: [widened.body.result], total: 1 });
      expect((await call('POST', '/profiles/_search?from=1&size=2', {})).body.result.hits.map((hit: { _id: string }) => hit._id)).toEqual(['anonymous', 'default']);
      expect((await call('PUT', '/profiles/readers/_update', { rateLimit: null })).body.result._source.rateLimit).toBe(0);
      expect((await call('DELETE', '/profiles/readers')).body.result).toEqual({ _id: 'readers' });
      expect(errorOf(await call('GET', '/profiles/readers'))).toEqual({ status: 404, id: 'security.profile.not_found' });
    });

    it('refuses unknown roles, a missing anonymous role, admin changes, deleting standard or used profiles', async () => {
      expect(errorOf(await call('PUT', '/profiles/p', { policies: [{ roleId: 'ghost' }] }))).toEqual({ status: 404, id: 'security.role.not_found' });
      expect(errorOf(await call('PUT', '/profiles/p', { policies: [] }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await call('PUT', '/profiles/p', { policies: [{ roleId: 'default' }], rateLimit: -1 }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await call('PUT', '/profiles/anonymous', { policies: [{ roleId: 'default' }] }))).toEqual({ status: 400, id: 'security.profile.missing_anonymous_role' });
      expect(errorOf(await call('PUT', '/profiles/admin/_update', { rateLimit: 1 }))).toEqual({ status: 400, id: 'security.rights.admin_protected' });
      for (const id of ['admin', 'default', 'anonymous']) expect(errorOf(await call('DELETE', `/profiles/${id}`))).toEqual({ status: 400, id: 'security.profile.cannot_delete' });
      await call('PUT', '/profiles/held', { policies: [{ roleId: 'default' }] });
      await k.call('POST', '/users/holder/_create', { jwt: admin, body: { content: { profileIds: ['held'] }, credentials: { local: { username: 'holder', password: USER_PASSWORD } } } });
      expect(errorOf(await call('DELETE', '/profiles/held'))).toEqual({ status: 412, id: 'security.profile.in_use' });
      expect(errorOf(await call('PUT', '/profiles/ghost/_update', { rateLimit: 1 }))).toEqual({ status: 404, id: 'security.profile.not_found' });
    });

    it('gives a user only profiles that exist (404), and the anonymous user keeps the anonymous profile (400)', async () => {
      const body = { content: { profileIds: ['default', 'nope'] }, credentials: { local: { username: 'nobody', password: USER_PASSWORD } } };
      expect(errorOf(await k.call('POST', '/users/nobody/_create', { jwt: admin, body }))).toEqual({ status: 404, id: 'security.profile.not_found' });
      expect(errorOf(await call('PUT', '/users/-1/_update', { profileIds: ['default'] }))).toEqual({ status: 400, id: 'security.user.anonymous_profile_required' });
      expect(errorOf(await call('PUT', '/users/-1/_replace', { profileIds: ['admin'] }))).toEqual({ status: 400, id: 'security.user.anonymous_profile_required' });
      expect(errorOf(await call('POST', '/users/-1/_upsert', { content: { profileIds: ['default'] } }))).toEqual({ status: 400, id: 'security.user.anonymous_profile_required' });
    });
  });

  it('createFirstAdmin?reset puts edited default rights back, on a database restored without its admins', async () => {
    const restored = tempDir('portcullis-reset-');
    let other = await startApiKernel({ dataDir: restored });
    const otherAdmin = await other.firstAdmin();
    await other.call('PUT', '/roles/default', { jwt: otherAdmin, body: { controllers: { auth: { actions: { '*': true } }, security: { actions: { getUser: true } } } } });
    await other.stop();
    const db = new Database(join(restored, 'kernel.sqlite'));
    db.prepare('DELETE FROM users').run();
    db.close();
    other = await startApiKernel({ dataDir: restored });
    try {
      expect(errorOf(await other.call('POST', '/_createFirstAdmin/admin?reset=maybe', { body: { credentials: { local: { username: 'admin', password: ADMIN_PASSWORD } } } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      // The local plugin still holds the old admin's credentials: a new kuid and username.
      const created = await other.call('POST', '/_createFirstAdmin/admin2?reset', { body: { credentials: { local: { username: 'admin2', password: ADMIN_PASSWORD } } } });
      expect(created.status).toBe(200);
      const role = await other.call('GET', '/roles/default', { jwt: await other.login('admin2', ADMIN_PASSWORD) });
      expect(role.body.result._source.controllers.security).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('never lets a user be created with a profile deleted while its creation waited on the plugins', async () => {
    // The deletion lands at different points of the creation: before its first check, or while it awaits the plugin.
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    for (let delay = 0; delay < 12; delay++) {
      await call('PUT', `/profiles/fleeting${delay}`, { policies: [{ roleId: 'default' }] });
      const body = { content: { profileIds: [`fleeting${delay}`] }, credentials: { local: { username: `racer${delay}`, password: USER_PASSWORD } } };
      const creation = k.call('POST', `/users/racer${delay}/_create`, { jwt: admin, body });
      for (let i = 0; i < delay; i++) await tick();
      const [created, deleted] = await Promise.all([creation, call('DELETE', `/profiles/fleeting${delay}`)]);
      expect([created.status, deleted.status]).not.toEqual([200, 200]);
      const user = await call('GET', `/users/racer${delay}`);
      const profile = await call('GET', `/profiles/fleeting${delay}`);
      // A stored user holding a profile that no longer exists.
      expect([user.status, profile.status]).not.toEqual([200, 404]);
    }
  });

  it('refuses to delete a profile RESTRICTED_PROFILES names, even with no user holding it', async () => {
    const other = await startApiKernel({ config: { restrictedProfileIds: ['members'] } });
    try {
      const jwt = await other.firstAdmin();
      expect((await other.call('PUT', '/profiles/members', { jwt, body: { policies: [{ roleId: 'default' }] } })).status).toBe(200);
      expect(errorOf(await other.call('DELETE', '/profiles/members', { jwt }))).toEqual({ status: 412, id: 'security.profile.in_use' });
    } finally {
      await other.stop();
    }
  });

  it('keeps stored roles and profiles across a restart, and refuses to boot on a malformed or admin row', async () => {
    await call('PUT', '/roles/durable', reader);
    await call('PUT', '/profiles/durable', { policies: [{ roleId: 'durable' }], rateLimit: 7 });
    await k.stop();
    k = await startApiKernel({ dataDir });
    admin = await k.login('admin', ADMIN_PASSWORD);
    expect((await call('GET', '/roles/durable')).body.result._source).toEqual(reader);
    expect((await call('GET', '/profiles/durable')).body.result._source).toEqual({ policies: [{ roleId: 'durable' }], rateLimit: 7 });
    await k.stop();
    const db = new Database(join(dataDir, 'kernel.sqlite'));
    db.prepare('INSERT INTO roles (id, content, updated_at) VALUES (?, ?, 0)').run('admin', JSON.stringify({ controllers: { auth: { actions: { login: true } } } }));
    db.close();
    await expect(startApiKernel({ dataDir })).rejects.toThrow('roles row "admin": the admin role is built in; delete the row');
    const fix = new Database(join(dataDir, 'kernel.sqlite'));
    fix.prepare("UPDATE roles SET id = 'broken', content = '{\"controllers\": 3}' WHERE id = 'admin'").run();
    fix.close();
    await expect(startApiKernel({ dataDir })).rejects.toThrow('roles row "broken" is malformed');
    const clean = new Database(join(dataDir, 'kernel.sqlite'));
    clean.prepare("DELETE FROM roles WHERE id = 'broken'").run();
    clean.close();
    k = await startApiKernel({ dataDir });
    admin = await k.login('admin', ADMIN_PASSWORD);
  });
});
