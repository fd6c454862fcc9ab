/**
 * The security controller's actions that change and delete users, through
 * the real app with the real local plugin and `second` (the minimal
 * fixture): updateUser, replaceUser, upsertUser, deleteUser, mDeleteUsers,
 * revokeTokens; a deletion with a plugin down; the last admin kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';


describe('security user actions: changes and deletions', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  /** A default user with local credentials (username = kuid) and `second` credentials (login = kuid). */
  async function userWithCredentials(kuid: string, content: Record<string, unknown> = {}): Promise<void> {
    const body = { content: { profileIds: ['default'], ...content }, credentials: { local: { username: kuid, password: USER_PASSWORD }, second: { login: kuid, secret: 'shh' } } };
    expect((await k.call('POST', `/users/${kuid}/_create`, { jwt: admin, body })).status).toBe(200);
  }
  const loginSecond = (login: string) => k.call('POST', '/_login/second', { body: { login, secret: 'shh' } });

  describe('updateUser', () => {
    it('merges the body into the content and answers {_id, _source}; profileIds may change', async () => {
      await userWithCredentials('upd', { name: 'Old', address: { city: 'Paris', zip: '75001' }, tags: ['a'] });
      const updated = await k.call('PUT', '/users/upd/_update', { jwt: admin, body: { name: 'New', address: { city: 'Lyon' }, tags: ['b'], _id: 'ignored' } });
      expect(updated.body.result).toEqual({ _id: 'upd', _source: { profileIds: ['default'], name: 'New', address: { city: 'Lyon', zip: '75001' }, tags: ['b'] } });
      const promoted = await k.call('PUT', '/users/upd/_update', { jwt: admin, body: { profileIds: ['default', 'admin'] } });
      expect(promoted.body.result._source.profileIds).toEqual(['default', 'admin']);
      // The new profile takes effect on the user's very next request.
      const token = await k.login('upd');
      expect((await k.call('GET', '/users/upd', { jwt: token })).status).toBe(200);
      expect((await k.call('GET', '/users/upd', { jwt: admin })).body.result).toEqual(promoted.body.result);
    });

    it('refuses an unknown profile (404, nothing changed), an unknown user (404), the anonymous user (400), bad profileIds (400)', async () => {
      await userWithCredentials('upd2');
      const profile = await k.call('PUT', '/users/upd2/_update', { jwt: admin, body: { profileIds: ['nope'], name: 'x' } });
      expect(errorOf(profile)).toEqual({ status: 404, id: 'security.profile.not_found' });
      expect((await k.call('GET', '/users/upd2', { jwt: admin })).body.result._source).toEqual({ profileIds: ['default'] });
      expect(errorOf(await k.call('PUT', '/users/nobody/_update', { jwt: admin, body: { name: 'x' } }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('PUT', '/users/-1/_update', { jwt: admin, body: { name: 'x' } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await k.call('PUT', '/users/upd2/_update', { jwt: admin, body: { profileIds: [] } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await k.call('PUT', '/users/upd2/_update', { jwt: admin, body: { profileIds: 'admin' } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(errorOf(await k.call('PUT', '/users/upd2/_update', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.body_required' });
    });
  });

  describe('replaceUser', () => {
    it('replaces the whole content; the body must carry profileIds', async () => {
      await userWithCredentials('rep', { name: 'Old', keep: 'no' });
      const replaced = await k.call('PUT', '/users/rep/_replace', { jwt: admin, body: { profileIds: ['default'], name: 'New' } });
      expect(replaced.body.result).toEqual({ _id: 'rep', _source: { profileIds: ['default'], name: 'New' } });
      expect((await k.call('GET', '/users/rep', { jwt: admin })).body.result).toEqual(replaced.body.result);
      const missing = await k.call('PUT', '/users/rep/_replace', { jwt: admin, body: { name: 'x' } });
      expect(errorOf(missing)).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      expect(missing.body.error?.props).toEqual(['body.profileIds']);
    });

    it('refuses an unknown user (404), an unknown profile (404), the anonymous user (400)', async () => {
      const body = { profileIds: ['default'] };
      expect(errorOf(await k.call('PUT', '/users/nobody/_replace', { jwt: admin, body }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('PUT', '/users/rep/_replace', { jwt: admin, body: { profileIds: ['nope'] } }))).toEqual({ status: 404, id: 'security.profile.not_found' });
      expect(errorOf(await k.call('PUT', '/users/-1/_replace', { jwt: admin, body: { profileIds: ['anonymous'] } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });

  describe('upsertUser', () => {
    it('creates a missing user from content over default, with its credentials', async () => {
      const body = { content: { profileIds: ['default'], name: 'Ups' }, default: { name: 'Default', lang: 'fr' }, credentials: { local: { username: 'ups', password: USER_PASSWORD } } };
      const created = await k.call('POST', '/users/ups/_upsert', { jwt: admin, body });
      expect(created.body.result).toEqual({ _id: 'ups', _source: { profileIds: ['default'], name: 'Ups', lang: 'fr' } });
      expect((await k.call('GET', '/_me', { jwt: await k.login('ups') })).body.result._id).toBe('ups');
    });

    it('updates an existing user as updateUser does, default ignored', async () => {
      await userWithCredentials('ups2', { name: 'Old', age: 3 });
      const body = { content: { profileIds: ['default'], name: 'New' }, default: { lang: 'fr' } };
      const updated = await k.call('POST', '/users/ups2/_upsert', { jwt: admin, body });
      expect(updated.body.result).toEqual({ _id: 'ups2', _source: { profileIds: ['default'], name: 'New', age: 3 } });
    });

    it('needs content.profileIds (400), known profiles (404), and refuses the anonymous user (400)', async () => {
      const missing = await k.call('POST', '/users/ups3/_upsert', { jwt: admin, body: { content: { name: 'x' } } });
      expect(errorOf(missing)).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      expect(missing.body.error?.props).toEqual(['body.content.profileIds']);
      expect(errorOf(await k.call('POST', '/users/ups3/_upsert', { jwt: admin, body: { content: { profileIds: ['nope'] } } }))).toEqual({ status: 404, id: 'security.profile.not_found' });
      expect(errorOf(await k.call('POST', '/users/-1/_upsert', { jwt: admin, body: { content: { profileIds: ['anonymous'] } } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect((await k.call('GET', '/users/ups3', { jwt: admin })).status).toBe(404);
    });
  });

  describe('deleteUser', () => {
    it('answers {_id} and removes the credentials in every strategy and every token at once', async () => {
      await userWithCredentials('del');
      const token = await k.login('del');
      expect((await loginSecond('del')).status).toBe(200);
      const deleted = await k.call('DELETE', '/users/del', { jwt: admin });
      expect(deleted.body.result).toEqual({ _id: 'del' });
      expect(errorOf(await k.call('GET', '/_me', { jwt: token }))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect(errorOf(await k.call('GET', '/users/del', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect((await k.call('POST', '/_login/local', { body: { username: 'del', password: USER_PASSWORD } })).status).toBe(401);
      expect((await loginSecond('del')).status).toBe(401);
      // Both usernames are free again, and the kuid too.
      await userWithCredentials('del');
      expect((await k.call('GET', '/users/del/_strategies', { jwt: admin })).body.result.strategies).toEqual(['local', 'second']);
    });

    it('refuses an unknown user (404) and the anonymous user (400)', async () => {
      expect(errorOf(await k.call('DELETE', '/users/nobody', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('DELETE', '/users/-1', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });

  describe('mDeleteUsers', () => {
    it('deletes every user listed, with credentials and tokens, and answers the kuids deleted', async () => {
      await userWithCredentials('md1');
      await userWithCredentials('md2');
      const token = await k.login('md1');
      const deleted = await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['md1', 'md2'] } });
      expect(deleted.body.result).toEqual(['md1', 'md2']);
      expect(errorOf(await k.call('GET', '/_me', { jwt: token }))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect((await k.call('POST', '/users/_mGet', { jwt: admin, body: { ids: ['md1', 'md2'] } })).body.result.hits).toEqual([]);
      await userWithCredentials('md1');
    });

    it('deletes none when one kuid is unknown (404) or anonymous (400)', async () => {
      await userWithCredentials('md3');
      const unknown = await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['md3', 'nobody'] } });
      expect(errorOf(unknown)).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['md3', '-1'] } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect((await k.call('GET', '/users/md3', { jwt: admin })).status).toBe(200);
      expect((await loginSecond('md3')).status).toBe(200);
    });

    it('needs ids (400 missing_argument), at most 1000 (400)', async () => {
      expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin, body: {} }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.body_required' });
      const ids = Array.from({ length: 1001 }, (_, i) => `u${i}`);
      expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect((await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: [] } })).body.result).toEqual([]);
    });
  });

  describe('revokeTokens', () => {
    it("revokes every token of the user at once; the user can log in again; unknown 404, anonymous 400", async () => {
      await userWithCredentials('rev');
      const first = await k.login('rev');
      const second = await k.login('rev');
      const revoked = await k.call('DELETE', '/users/rev/tokens', { jwt: admin });
      expect(revoked.status).toBe(200);
      expect(revoked.body.result).toBeNull();
      for (const token of [first, second]) expect(errorOf(await k.call('GET', '/_me', { jwt: token }))).toEqual({ status: 401, id: 'security.token.invalid' });
      expect((await k.call('GET', '/_me', { jwt: await k.login('rev') })).status).toBe(200);
      expect((await k.call('GET', '/_me', { jwt: admin })).status).toBe(200);
      expect(errorOf(await k.call('DELETE', '/users/nobody/tokens', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('DELETE', '/users/-1/tokens', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });
  });
});

describe('deleting a user while a plugin is down', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { broken: { fixture: 'init-throws' } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  it('fails with 503 before anything is removed: user, local credentials and tokens all stay', async () => {
    const kuid = await k.createUser(admin, 'kept', USER_PASSWORD, 'kept');
    const token = await k.login('kept');
    for (const [method, path, body] of [['DELETE', `/users/${kuid}`, undefined], ['POST', '/users/_mDelete', { ids: [kuid] }]] as const) {
      const failed = await k.call(method, path, { jwt: admin, ...(body === undefined ? {} : { body }) });
      expect(errorOf(failed)).toEqual({ status: 503, id: 'plugin.runtime.unavailable' });
      expect((await k.call('GET', '/_me', { jwt: token })).body.result._id).toBe(kuid);
      expect((await k.call('GET', `/users/${kuid}/_strategies`, { jwt: admin })).body.result.strategies).toEqual(['local']);
    }
    expect((await k.login('kept')).startsWith('kauth-')).toBe(true);
  });
});

describe('the last admin', () => {
  let k: ApiKernel;

  beforeAll(async () => {
    k = await startApiKernel();
  });
  afterAll(() => k.stop());

  it('is refused, and so is demoting it, while another admin makes both possible', async () => {
    const admin = await k.firstAdmin();
    const lastAdmin = { status: 412, id: 'security.user.last_admin' };
    expect(errorOf(await k.call('DELETE', '/users/admin', { jwt: admin }))).toEqual(lastAdmin);
    expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['admin'] } }))).toEqual(lastAdmin);
    expect(errorOf(await k.call('PUT', '/users/admin/_update', { jwt: admin, body: { profileIds: ['default'] } }))).toEqual(lastAdmin);
    expect(errorOf(await k.call('PUT', '/users/admin/_replace', { jwt: admin, body: { profileIds: ['default'] } }))).toEqual(lastAdmin);
    // Still an admin, still logged in, and nobody else can take over through createFirstAdmin.
    expect((await k.call('GET', '/_me', { jwt: admin })).body.result._source.profileIds).toEqual(['admin']);
    expect(errorOf(await k.call('POST', '/_createFirstAdmin/other', { body: {} }))).toEqual({ status: 412, id: 'api.process.admin_exists' });
    // With a second admin, the first can go; a demoted admin does not count.
    await k.call('POST', '/users/second-admin/_create', { jwt: admin, body: { content: { profileIds: ['admin'] } } });
    expect(errorOf(await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['admin', 'second-admin'] } }))).toEqual(lastAdmin);
    expect((await k.call('DELETE', '/users/admin', { jwt: admin })).body.result).toEqual({ _id: 'admin' });
    expect(errorOf(await k.call('GET', '/_me', { jwt: admin }))).toEqual({ status: 401, id: 'security.token.invalid' });
    expect((await k.call('GET', '/users/second-admin', { jwt: admin })).status).toBe(401);
    expect(errorOf(await k.call('POST', '/_createFirstAdmin/admin', { body: {} }))).toEqual({ status: 412, id: 'api.process.admin_exists' });
  });
});
