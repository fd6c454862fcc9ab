/**
 * The auth controller's credentials actions, on the caller's own
 * credentials, through the real app with the real local plugin: each
 * action on its current route and its deprecated alias, the sessions a
 * password change ends, and the local plugin's `requirePassword`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const NEW_PASSWORD = 'another long passphrase';


/** Every action's verb and path suffix after `/_me/credentials/:strategy`. */
const ACTIONS = [['POST', '/_create'], ['PUT', '/_update'], ['POST', '/_validate'], ['DELETE', ''], ['GET', '/_exists'], ['GET', '']] as const;
/** A body for the verbs that carry one. */
const withBody = (method: string, body: unknown) => (method === 'GET' || method === 'DELETE' ? {} : { body });

describe('auth credentials actions', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  // Each case runs on the current route and on the deprecated alias.
  const routes = {
    current: (strategy: string, suffix = '') => `/_me/credentials/${strategy}${suffix}`,
    deprecated: (strategy: string, suffix = '') => `/credentials/${strategy}/_me${suffix}`,
  };

  for (const [name, path] of Object.entries(routes)) {
    describe(`on the ${name} routes`, () => {
      it('gets, checks, deletes and creates again the caller\'s own credentials', async () => {
        const username = `own-${name}`;
        const kuid = await k.createUser(admin, username);
        const jwt = await k.login(username);
        expect((await k.call('GET', path('local', '/_exists'), { jwt })).body.result).toBe(true);
        const info = await k.call('GET', path('local'), { jwt });
        expect(info.body).toMatchObject({ controller: 'auth', action: 'getMyCredentials', result: { username, kuid } });
        expect((await k.call('DELETE', path('local'), { jwt })).body.result).toEqual({ acknowledged: true });
        expect((await k.call('GET', path('local', '/_exists'), { jwt })).body.result).toBe(false);
        expect((await k.call('GET', path('local'), { jwt })).body.result).toEqual({});
        expect(errorOf(await k.call('POST', '/_login/local', { body: { username, password: USER_PASSWORD } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
        const created = await k.call('POST', path('local', '/_create'), { jwt, body: { username, password: NEW_PASSWORD } });
        expect(created.body.result).toEqual({ username, kuid });
        expect((await k.call('GET', '/_me', { jwt: await k.login(username, NEW_PASSWORD) })).body.result._id).toBe(kuid);
      });

      it('validates without storing: true, or the plugin\'s refusal', async () => {
        const username = `check-${name}`;
        await k.createUser(admin, username);
        const jwt = await k.login(username);
        expect((await k.call('POST', path('local', '/_validate'), { jwt, body: { username, password: NEW_PASSWORD } })).body.result).toBe(true);
        const weak = await k.call('POST', path('local', '/_validate'), { jwt, body: { username, password: 'short' } });
        expect(errorOf(weak)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
        // Still the old password.
        expect(await k.login(username)).toMatch(/^kauth-/);
      });

      it('updates the password: the caller\'s other sessions end at once, this one goes on', async () => {
        const username = `change-${name}`;
        const kuid = await k.createUser(admin, username);
        const jwt = await k.login(username);
        const other = await k.login(username);
        const updated = await k.call('PUT', path('local', '/_update'), { jwt, body: { password: NEW_PASSWORD } });
        expect(updated.body).toMatchObject({ action: 'updateMyCredentials', result: { username, kuid } });
        expect(errorOf(await k.call('GET', '/_me', { jwt: other }))).toEqual({ status: 401, id: 'security.token.invalid' });
        expect((await k.call('GET', '/_me', { jwt })).body.result._id).toBe(kuid);
        expect(errorOf(await k.call('POST', '/_login/local', { body: { username, password: USER_PASSWORD } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
        expect(await k.login(username, NEW_PASSWORD)).toMatch(/^kauth-/);
      });
    });
  }

  it('keeps the other sessions when only the username changes', async () => {
    const kuid = await k.createUser(admin, 'rename-me');
    const jwt = await k.login('rename-me');
    const other = await k.login('rename-me');
    const updated = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { username: 'renamed' } });
    expect(updated.body.result).toEqual({ username: 'renamed', kuid });
    expect((await k.call('GET', '/_me', { jwt: other })).status).toBe(200);
    expect(await k.login('renamed')).toMatch(/^kauth-/);
  });

  it("passes the plugin's own errors unchanged", async () => {
    await k.createUser(admin, 'errors');
    const jwt = await k.login('errors');
    const exists = await k.call('POST', '/_me/credentials/local/_create', { jwt, body: { username: 'errors2', password: USER_PASSWORD } });
    expect(errorOf(exists)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
    const used = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { username: 'Admin' } });
    expect(errorOf(used)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
    expect(used.body.error?.message).toBe('Login "Admin" is already used.');
    const common = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { password: 'password1234' } });
    expect(errorOf(common)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
    expect(common.body.error?.message).toBe('password is too common: it is on the list of most used passwords');
  });

  it('answers 400 for an unknown strategy and for a missing body', async () => {
    await k.createUser(admin, 'inputs');
    const jwt = await k.login('inputs');
    for (const [method, suffix] of ACTIONS) {
      const response = await k.call(method, `/_me/credentials/nope${suffix}`, { jwt, ...withBody(method, {}) });
      expect({ suffix, ...errorOf(response) }).toEqual({ suffix, status: 400, id: 'security.credentials.unknown_strategy' });
    }
    for (const [method, suffix] of [['POST', '/_create'], ['PUT', '/_update'], ['POST', '/_validate']] as const) {
      expect(errorOf(await k.call(method, `/_me/credentials/local${suffix}`, { jwt }))).toEqual({ status: 400, id: 'api.assert.body_required' });
    }
  });

  it('creates credentials in another strategy, which the caller can then log in with', async () => {
    const kuid = await k.createUser(admin, 'multi');
    const jwt = await k.login('multi');
    const created = await k.call('POST', '/_me/credentials/second/_create', { jwt, body: { login: 'multi-second', secret: 's3cret' } });
    expect(created.body.result).toMatchObject({ login: 'multi-second' });
    expect((await k.call('POST', '/_login/second', { body: { login: 'multi-second', secret: 's3cret' } })).body.result._id).toBe(kuid);
    expect((await k.call('GET', '/_me', { jwt })).body.result.strategies).toEqual(['local', 'second']);
  });

  it('never shows a hash or a password', async () => {
    await k.createUser(admin, 'secretive');
    const jwt = await k.login('secretive');
    for (const path of ['/_me/credentials/local', '/credentials/local/_me']) {
      const text = JSON.stringify((await k.call('GET', path, { jwt })).body);
      expect(text).toContain('secretive');
      for (const secret of ['hash', 'password', '$2', USER_PASSWORD]) expect(text).not.toContain(secret);
    }
  });

  it('answers 401 to anonymous for every action', async () => {
    for (const [method, suffix] of ACTIONS) {
      const response = await k.call(method, `/_me/credentials/local${suffix}`, withBody(method, { username: 'anon', password: USER_PASSWORD }));
      expect({ suffix, ...errorOf(response) }).toEqual({ suffix, status: 401, id: 'security.rights.unauthorized' });
    }
  });

  it('lists both routes of each action in /_publicApi, the current one first', async () => {
    const api = (await k.call('GET', '/_publicApi')).body.result.auth;
    expect(api.getMyCredentials.http).toEqual([
      { verb: 'GET', url: '/_me/credentials/:strategy' },
      { verb: 'GET', url: '/credentials/:strategy/_me' },
    ]);
    expect(api.createMyCredentials.http[0]).toEqual({ verb: 'POST', url: '/_me/credentials/:strategy/_create' });
  });
});

describe('updateMyCredentials with requirePassword', () => {
  let k: ApiKernel;
  let jwt: string;
  let kuid: string;

  beforeAll(async () => {
    k = await startApiKernel({ local: { config: { requirePassword: true } } });
    kuid = await k.createUser(await k.firstAdmin(), 'careful');
    jwt = await k.login('careful');
  });
  afterAll(() => k.stop());

  it('refuses a change without the current password, or with a wrong one', async () => {
    const missing = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { password: NEW_PASSWORD } });
    expect(errorOf(missing)).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
    expect(missing.body.error?.message).toBe('currentPassword is required to change these credentials');
    const wrong = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { password: NEW_PASSWORD, currentPassword: 'not the password at all' } });
    expect(wrong.body.error?.message).toBe('currentPassword is wrong');
    expect(await k.login('careful')).toMatch(/^kauth-/);
  });

  it('accepts it with the current password', async () => {
    const updated = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { password: NEW_PASSWORD, currentPassword: USER_PASSWORD } });
    expect(updated.body.result).toEqual({ username: 'careful', kuid });
    expect(await k.login('careful', NEW_PASSWORD)).toMatch(/^kauth-/);
  });
});
