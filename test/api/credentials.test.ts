/**
 * The security controller's credentials actions, on any user's credentials,
 * through the real app with the real local plugin; `second` (the minimal
 * fixture) and `faulty` (no getById, no search) are there for the
 * multi-strategy and optional-method answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const NEW_PASSWORD = 'another long passphrase';

describe('security credentials actions', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } }, faulty: { fixture: 'faulty' } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  /** A user with the default profile and no credentials at all. */
  async function bareUser(kuid: string): Promise<void> {
    const created = await k.call('POST', `/users/${kuid}/_create`, { jwt: admin, body: { content: { profileIds: ['default'] } } });
    expect(created.status).toBe(200);
  }


  describe('createCredentials', () => {
    it("validates, creates, and answers the plugin's result; the user can then log in", async () => {
      await bareUser('bob');
      const created = await k.call('POST', '/credentials/local/bob/_create', { jwt: admin, body: { username: 'Bob', password: USER_PASSWORD } });
      expect(created.status).toBe(200);
      expect(created.body.result).toEqual({ username: 'bob', kuid: 'bob' });
      expect(created.body).toMatchObject({ controller: 'security', action: 'createCredentials' });
      expect((await k.call('POST', '/_login/local', { body: { username: 'bob', password: USER_PASSWORD } })).body.result._id).toBe('bob');
    });

    it("passes the plugin's own errors unchanged: policy 400, login used 412, already created 412", async () => {
      await bareUser('carol');
      const short = await k.call('POST', '/credentials/local/carol/_create', { jwt: admin, body: { username: 'carol', password: 'short' } });
      expect(errorOf(short)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
      expect(short.body.error?.message).toBe('password must be at least 12 characters long');
      const used = await k.call('POST', '/credentials/local/carol/_create', { jwt: admin, body: { username: 'admin', password: USER_PASSWORD } });
      expect(errorOf(used)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
      expect(used.body.error?.message).toBe('Login "admin" is already used.');
      const again = await k.call('POST', '/credentials/local/admin/_create', { jwt: admin, body: { username: 'admin2', password: USER_PASSWORD } });
      expect(errorOf(again)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
    });

    it('refuses an unknown user (404) before the plugin stores anything', async () => {
      const ghost = await k.call('POST', '/credentials/local/ghost/_create', { jwt: admin, body: { username: 'ghost', password: USER_PASSWORD } });
      expect(errorOf(ghost)).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(ghost.body.error?.message).toBe('User "ghost" not found.');
      // Nothing was stored: the user can now be created with that very username.
      expect(await k.createUser(admin, 'ghost', USER_PASSWORD, 'ghost')).toBe('ghost');
    });

    it('answers 400 for an unknown strategy (before the user check) and for a missing body', async () => {
      const unknown = await k.call('POST', '/credentials/nope/nobody/_create', { jwt: admin, body: { username: 'x', password: USER_PASSWORD } });
      expect(errorOf(unknown)).toEqual({ status: 400, id: 'security.credentials.unknown_strategy' });
      expect(errorOf(await k.call('POST', '/credentials/local/admin/_create', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.body_required' });
    });

    it('works in any strategy, here the second one', async () => {
      await bareUser('dave');
      const created = await k.call('POST', '/credentials/second/dave/_create', { jwt: admin, body: { login: 'dave', secret: 's3cret' } });
      expect(created.body.result).toMatchObject({ login: 'dave' });
      expect((await k.call('POST', '/_login/second', { body: { login: 'dave', secret: 's3cret' } })).body.result._id).toBe('dave');
    });
  });

  describe('updateCredentials', () => {
    it("changes a user's password and revokes every one of the user's tokens, not the admin's", async () => {
      const kuid = await k.createUser(admin, 'erin');
      const first = await k.login('erin');
      const second = await k.login('erin');
      const updated = await k.call('PUT', `/credentials/local/${kuid}/_update`, { jwt: admin, body: { password: NEW_PASSWORD } });
      expect(updated.status).toBe(200);
      expect(updated.body.result).toEqual({ username: 'erin', kuid });
      for (const token of [first, second]) {
        expect(errorOf(await k.call('GET', '/_me', { jwt: token }))).toEqual({ status: 401, id: 'security.token.invalid' });
      }
      expect((await k.call('GET', '/_me', { jwt: admin })).status).toBe(200);
      expect(errorOf(await k.call('POST', '/_login/local', { body: { username: 'erin', password: USER_PASSWORD } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
      expect((await k.call('GET', '/_me', { jwt: await k.login('erin', NEW_PASSWORD) })).body.result._id).toBe(kuid);
    });

    it('answers 404 for an unknown user, the plugin 404 for a user without credentials, 400 without a body', async () => {
      expect(errorOf(await k.call('PUT', '/credentials/local/ghost2/_update', { jwt: admin, body: { password: NEW_PASSWORD } }))).toEqual({ status: 404, id: 'security.user.not_found' });
      await bareUser('frank');
      expect(errorOf(await k.call('PUT', '/credentials/local/frank/_update', { jwt: admin, body: { password: NEW_PASSWORD } }))).toEqual({ status: 404, id: 'plugin.custom.not_found' });
      expect(errorOf(await k.call('PUT', '/credentials/local/frank/_update', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.body_required' });
    });

    it("answers the plugin's validation refusal and changes nothing", async () => {
      const kuid = await k.createUser(admin, 'gina');
      const refused = await k.call('PUT', `/credentials/local/${kuid}/_update`, { jwt: admin, body: { password: 'password' } });
      expect(errorOf(refused)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
      expect(await k.login('gina')).toMatch(/^kauth-/);
    });
  });

  describe('validateCredentials', () => {
    it('answers true for valid credentials and stores nothing, even for a user not created yet', async () => {
      const valid = await k.call('POST', '/credentials/local/future/_validate', { jwt: admin, body: { username: 'future', password: USER_PASSWORD } });
      expect(valid.status).toBe(200);
      expect(valid.body.result).toBe(true);
      expect(await k.createUser(admin, 'future', USER_PASSWORD, 'future')).toBe('future');
    });

    it("answers the plugin's refusal", async () => {
      const weak = await k.call('POST', '/credentials/local/admin/_validate', { jwt: admin, body: { username: 'someone', password: '123456789012' } });
      expect(errorOf(weak)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
      expect(weak.body.error?.message).toBe('password is too common: it is on the list of most used passwords');
      const taken = await k.call('POST', '/credentials/local/other/_validate', { jwt: admin, body: { username: 'admin', password: USER_PASSWORD } });
      expect(errorOf(taken)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
      expect(errorOf(await k.call('POST', '/credentials/local/admin/_validate', { jwt: admin }))).toEqual({ status: 400, id: 'api.assert.body_required' });
    });
  });

  describe('deleteCredentials and hasCredentials', () => {
    it('deletes, after which the user has none and cannot log in', async () => {
      const kuid = await k.createUser(admin, 'hank');
      expect((await k.call('GET', `/credentials/local/${kuid}/_exists`, { jwt: admin })).body.result).toBe(true);
      const deleted = await k.call('DELETE', `/credentials/local/${kuid}`, { jwt: admin });
      expect(deleted.body.result).toEqual({ acknowledged: true });
      expect((await k.call('GET', `/credentials/local/${kuid}/_exists`, { jwt: admin })).body.result).toBe(false);
      expect(errorOf(await k.call('POST', '/_login/local', { body: { username: 'hank', password: USER_PASSWORD } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
      expect(errorOf(await k.call('DELETE', `/credentials/local/${kuid}`, { jwt: admin }))).toEqual({ status: 404, id: 'plugin.custom.not_found' });
    });

    it('answers 404 for an unknown user and 400 for an unknown strategy', async () => {
      expect(errorOf(await k.call('DELETE', '/credentials/local/ghost3', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('GET', '/credentials/local/ghost3/_exists', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('GET', '/credentials/nope/admin/_exists', { jwt: admin }))).toEqual({ status: 400, id: 'security.credentials.unknown_strategy' });
    });
  });

  describe('getCredentials and getCredentialsById', () => {
    it('shows what the strategy shows, never a hash or a password', async () => {
      const kuid = await k.createUser(admin, 'iris');
      const info = await k.call('GET', `/credentials/local/${kuid}`, { jwt: admin });
      expect(info.body.result).toEqual({ username: 'iris', kuid });
      const byId = await k.call('GET', '/credentials/local/IRIS/_byId', { jwt: admin });
      expect(byId.body.result).toEqual({ username: 'iris', kuid });
      for (const response of [info, byId]) {
        const text = JSON.stringify(response.body);
        for (const secret of ['hash', 'password', '$2', USER_PASSWORD]) expect(text).not.toContain(secret);
      }
    });

    it('answers {} for a user without credentials, 404 for an unknown user or username', async () => {
      await bareUser('jack');
      expect((await k.call('GET', '/credentials/local/jack', { jwt: admin })).body.result).toEqual({});
      expect(errorOf(await k.call('GET', '/credentials/local/ghost4', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect(errorOf(await k.call('GET', '/credentials/local/nobody-at-all/_byId', { jwt: admin }))).toEqual({ status: 404, id: 'plugin.custom.not_found' });
    });

    it('answers {} from a strategy without getById, as Kuzzle does', async () => {
      const byId = await k.call('GET', '/credentials/faulty/anything/_byId', { jwt: admin });
      expect(byId.status).toBe(200);
      expect(byId.body.result).toEqual({});
    });
  });

  describe('credential fields', () => {
    it("answers one strategy's fields, and every available strategy's", async () => {
      expect((await k.call('GET', '/credentials/local/_fields', { jwt: admin })).body.result).toEqual(['username', 'password']);
      expect(errorOf(await k.call('GET', '/credentials/nope/_fields', { jwt: admin }))).toEqual({ status: 400, id: 'security.credentials.unknown_strategy' });
      const all = await k.call('GET', '/credentials/_fields', { jwt: admin });
      expect(all.body.result).toEqual({ local: ['username', 'password'], second: ['login', 'secret'], faulty: ['mode'] });
    });
  });

  describe('searchUsersByCredentials', () => {
    it('finds users by username, exactly or by prefix, with from and size', async () => {
      const ids = [await k.createUser(admin, 'search-a'), await k.createUser(admin, 'search-b'), await k.createUser(admin, 'search-c')];
      const exact = await k.call('POST', '/credentials/local/users/_search', { jwt: admin, body: { query: { username: 'SEARCH-B' } } });
      expect(exact.body.result).toEqual({ hits: [{ username: 'search-b', kuid: ids[1] }], total: 1 });
      const page = await k.call('POST', '/credentials/local/users/_search?from=1&size=1', { jwt: admin, body: { query: { usernamePrefix: 'search-' } } });
      expect(page.body.result).toEqual({ hits: [{ username: 'search-b', kuid: ids[1] }], total: 3 });
      expect(JSON.stringify(page.body)).not.toContain('hash');
    });

    it("answers the plugin's 400 for a query it cannot run, and 400 for bad paging", async () => {
      expect(errorOf(await k.call('POST', '/credentials/local/users/_search', { jwt: admin, body: {} }))).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
      const size = await k.call('POST', '/credentials/local/users/_search?size=5000', { jwt: admin, body: { query: { username: 'admin' } } });
      expect(errorOf(size)).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
      expect(size.body.error?.props[0]).toBe('size');
      expect(errorOf(await k.call('POST', '/credentials/local/users/_search?from=-1', { jwt: admin, body: { query: {} } }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    });

    it("answers Kuzzle's missing_optional_method for a strategy without search", async () => {
      const missing = await k.call('POST', '/credentials/faulty/users/_search', { jwt: admin, body: { query: { mode: 'x' } } });
      expect(missing.body.error).toMatchObject({ id: 'plugin.strategy.missing_optional_method', props: ['search', 'faulty'] });
      expect(missing.body.error?.message).toBe('"search" method is optional. The faulty strategy plugin has not yet implemented it.');
    });
  });

  describe('rights', () => {
    it('answers 403 to a default user for every security credentials action, on itself too', async () => {
      const kuid = await k.createUser(admin, 'kim');
      const kim = await k.login('kim');
      const body = { username: 'kim', password: NEW_PASSWORD };
      const calls: Array<[string, string, unknown?]> = [
        ['POST', `/credentials/local/${kuid}/_create`, body],
        ['PUT', `/credentials/local/${kuid}/_update`, body],
        ['DELETE', `/credentials/local/${kuid}`],
        ['GET', `/credentials/local/${kuid}`],
        ['GET', '/credentials/local/kim/_byId'],
        ['GET', `/credentials/local/${kuid}/_exists`],
        ['POST', `/credentials/local/${kuid}/_validate`, body],
        ['GET', '/credentials/local/_fields'],
        ['GET', '/credentials/_fields'],
        ['POST', '/credentials/local/users/_search', { query: { username: 'admin' } }],
      ];
      for (const [method, path, payload] of calls) {
        const response = await k.call(method, path, { jwt: kim, ...(payload === undefined ? {} : { body: payload }) });
        expect({ path, ...errorOf(response) }).toEqual({ path, status: 403, id: 'security.rights.forbidden' });
      }
      // Still the old password: nothing above went through.
      expect(await k.login('kim')).toMatch(/^kauth-/);
      expect(errorOf(await k.call('GET', `/credentials/local/${kuid}`))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    });

    it('lets an admin change its own password and keep its session', async () => {
      const other = await k.login('admin', ADMIN_PASSWORD);
      const changed = await k.call('PUT', '/credentials/local/admin/_update', { jwt: admin, body: { password: NEW_PASSWORD } });
      expect(changed.status).toBe(200);
      expect((await k.call('GET', '/_me', { jwt: admin })).status).toBe(200);
      expect(errorOf(await k.call('GET', '/_me', { jwt: other }))).toEqual({ status: 401, id: 'security.token.invalid' });
      await k.call('PUT', '/credentials/local/admin/_update', { jwt: admin, body: { password: ADMIN_PASSWORD } });
    });
  });

  it('never logs a password', () => {
    const logs = k.logs().join('\n');
    for (const secret of [USER_PASSWORD, NEW_PASSWORD, ADMIN_PASSWORD]) expect(logs).not.toContain(secret);
    expect(logs).toContain('security:updateCredentials'); // the change was logged, so the check above read real lines
  });
});
