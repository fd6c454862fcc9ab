/**
 * The rights check with stored roles and profiles, through the real app:
 * users with mixed profiles calling allowed and denied actions, wildcard
 * precedence, the union of roles, a change taking effect on the very next
 * request, plugin actions under the same check, the rights queries
 * (getMyRights, checkRights, getUserRights, getProfileRights),
 * restrictDefaultRights, and profiles' rateLimit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

describe('rights with stored roles and profiles', () => {
  let k: ApiKernel;
  let admin: string;
  const tokens: Record<string, string> = {};

  const put = (path: string, body: unknown) => k.call('PUT', path, { jwt: admin, body });
  async function userWith(kuid: string, profileIds: string[]): Promise<string> {
    const body = { content: { profileIds }, credentials: { local: { username: kuid, password: USER_PASSWORD } } };
    expect((await k.call('POST', `/users/${kuid}/_create`, { jwt: admin, body })).status).toBe(200);
    return k.login(kuid);
  }

  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
    await put('/roles/user-reader', { controllers: { security: { actions: { getUser: true, searchUsers: true } } } });
    // Everything in security except deleting users: the action rule beats the controller's `*`.
    await put('/roles/user-manager', { controllers: { security: { actions: { '*': true, deleteUser: false } } } });
    await put('/roles/deleter', { controllers: { security: { actions: { deleteUser: true } } } });
    // `*` controller with one action: getUser anywhere, nothing else.
    await put('/roles/getter', { controllers: { '*': { actions: { getUser: true } } } });
    await put('/profiles/readers', { policies: [{ roleId: 'user-reader' }] });
    await put('/profiles/managers', { policies: [{ roleId: 'user-manager' }] });
    await put('/profiles/deleters', { policies: [{ roleId: 'deleter' }] });
    await put('/profiles/getters', { policies: [{ roleId: 'getter' }] });
    tokens.reader = await userWith('reader', ['default', 'readers']);
    tokens.manager = await userWith('manager', ['managers']);
    tokens.both = await userWith('both', ['managers', 'deleters']);
    tokens.getter = await userWith('getter', ['getters']);
    await userWith('victim', ['default']);
  });
  afterAll(() => k.stop());

  const as = (who: string, method: string, path: string, body?: unknown) => k.call(method, path, { jwt: tokens[who]!, ...(body === undefined ? {} : { body }) });

  it('allows what a profile grants and denies the rest: 403 for users, 401 for anonymous', async () => {
    expect((await as('reader', 'GET', '/users/victim')).status).toBe(200);
    expect((await as('reader', 'POST', '/users/_search', {})).status).toBe(200);
    expect((await as('reader', 'GET', '/_me')).status).toBe(200); // from `default`, its other profile
    expect(errorOf(await as('reader', 'PUT', '/users/victim/_update', { name: 'x' }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    expect(errorOf(await as('reader', 'GET', '/roles/user-reader'))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    expect(errorOf(await k.call('GET', '/users/victim'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    // A profile without the default role: not even its own session.
    expect(errorOf(await as('manager', 'GET', '/_me'))).toEqual({ status: 403, id: 'security.rights.forbidden' });
  });

  it('lets the most specific rule win within a role, and any role win across roles', async () => {
    expect((await as('manager', 'PUT', '/users/victim/_update', { name: 'managed' })).status).toBe(200);
    expect(errorOf(await as('manager', 'DELETE', '/users/victim'))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    // `both` holds user-manager (deleteUser: false) and deleter (deleteUser: true): the union allows.
    await userWith('doomed', ['default']);
    expect((await as('both', 'DELETE', '/users/doomed')).status).toBe(200);
    expect((await as('getter', 'GET', '/users/victim')).status).toBe(200);
    expect(errorOf(await as('getter', 'POST', '/users/_search', {}))).toEqual({ status: 403, id: 'security.rights.forbidden' });
  });

  it('applies a role, profile or user change on the next request, without a restart', async () => {
    const reader = await userWith('changing', ['readers']);
    expect((await k.call('GET', '/users/victim', { jwt: reader })).status).toBe(200);
    await put('/roles/user-reader', { controllers: { security: { actions: { searchUsers: true } } } });
    expect(errorOf(await k.call('GET', '/users/victim', { jwt: reader }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    await put('/profiles/readers', { policies: [{ roleId: 'user-reader' }, { roleId: 'getter' }] });
    expect((await k.call('GET', '/users/victim', { jwt: reader })).status).toBe(200);
    await put('/users/changing/_update', { profileIds: ['default'] });
    expect(errorOf(await k.call('GET', '/users/victim', { jwt: reader }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    await put('/roles/user-reader', { controllers: { security: { actions: { getUser: true, searchUsers: true } } } });
    await put('/profiles/readers', { policies: [{ roleId: 'user-reader' }] });
  });

  it('opens more to anonymous when the anonymous role grants it, and closes it again', async () => {
    expect(errorOf(await k.call('GET', '/users/victim'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    await put('/roles/anonymous', { controllers: { auth: { actions: { login: true } }, security: { actions: { getUser: true } } } });
    expect((await k.call('GET', '/users/victim')).status).toBe(200);
    // Replacing the anonymous role replaces the built-in list: checkToken is no longer in it.
    expect(errorOf(await k.call('POST', '/_checkToken', { body: {} }))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    expect((await k.call('POST', '/_restrictDefaultRights', { jwt: admin })).body.result).toBeNull();
    expect(errorOf(await k.call('GET', '/users/victim'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    expect((await k.call('POST', '/_checkToken', { body: {} })).status).toBe(200);
  });

  it('puts plugin actions under the same check: a role can grant local/password:createResetToken', async () => {
    const path = '/_/local/password/reset-token/victim';
    expect(errorOf(await as('reader', 'POST', path))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    await put('/roles/resetter', { controllers: { 'local/password': { actions: { createResetToken: true } } } });
    await put('/profiles/resetters', { policies: [{ roleId: 'resetter' }] });
    await put('/users/reader/_update', { profileIds: ['default', 'readers', 'resetters'] });
    expect((await as('reader', 'POST', path)).status).toBe(200);
  });

  describe('rights queries', () => {
    it('getMyRights lists every action of the server with its decision; getUserRights answers the same for that user', async () => {
      const looker = await userWith('looker', ['default', 'getters']);
      const mine = await k.call('GET', '/_me/_rights', { jwt: looker });
      expect((await k.call('GET', '/users/looker/_rights', { jwt: admin })).body.result).toEqual(mine.body.result);
      const { hits, total } = mine.body.result as { hits: Array<{ controller: string; action: string; index: string; collection: string; value: string }>; total: number };
      const routes = (await k.call('GET', '/_publicApi', { jwt: admin })).body.result as Record<string, Record<string, unknown>>;
      expect(total).toBe(Object.values(routes).reduce((sum, actions) => sum + Object.keys(actions).length, 0));
      expect(hits).toHaveLength(total);
      const allowed = hits.filter((hit) => hit.value === 'allowed').map((hit) => `${hit.controller}:${hit.action}`);
      expect(allowed).toEqual(expect.arrayContaining(['security:getUser', 'auth:getMyRights', 'auth:login', 'server:now']));
      expect(allowed.filter((name) => name.startsWith('security:'))).toEqual(['security:getUser']);
      expect(hits.every((hit) => hit.index === '*' && hit.collection === '*' && ['allowed', 'denied'].includes(hit.value))).toBe(true);
      expect(errorOf(await k.call('GET', '/_me/_rights'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    });

    it('checkRights answers {allowed} for the caller (auth) and for any user (security)', async () => {
      const checker = await userWith('checker', ['default', 'managers']);
      const check = (body: unknown) => k.call('POST', '/_checkRights', { jwt: checker, body });
      expect((await check({ controller: 'security', action: 'updateUser' })).body.result).toEqual({ allowed: true });
      expect((await check({ controller: 'security', action: 'deleteUser' })).body.result).toEqual({ allowed: false });
      // Names the server does not have are judged by the rules (security:* covers it), as Kuzzle does.
      expect((await check({ controller: 'security', action: 'neverHeardOf' })).body.result).toEqual({ allowed: true });
      expect((await check({ controller: 'documents', action: 'get' })).body.result).toEqual({ allowed: false });
      expect(errorOf(await check({ controller: 'security' }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      const forUser = (kuid: string, body: unknown, jwt = admin) => k.call('POST', `/_checkRights/${kuid}`, { jwt, body });
      expect((await forUser('both', { controller: 'security', action: 'deleteUser' })).body.result).toEqual({ allowed: true });
      expect((await forUser('-1', { controller: 'auth', action: 'login' })).body.result).toEqual({ allowed: true });
      expect(errorOf(await forUser('ghost', { controller: 'auth', action: 'login' }))).toEqual({ status: 404, id: 'security.user.not_found' });
      expect((await forUser('both', { controller: 'auth', action: 'login' }, checker)).status).toBe(200);
      expect(errorOf(await forUser('both', { controller: 'auth', action: 'login' }, tokens.reader))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    });

    it("getProfileRights answers a profile's decisions; 404 for an unknown profile", async () => {
      const rights = await k.call('GET', '/profiles/getters/_rights', { jwt: admin });
      expect(rights.body.result.hits.filter((hit: { value: string }) => hit.value === 'allowed').map((hit: { action: string }) => hit.action)).toEqual(['getUser']);
      expect(errorOf(await k.call('GET', '/profiles/ghost/_rights', { jwt: admin }))).toEqual({ status: 404, id: 'security.profile.not_found' });
    });
  });

  it("limits a profile's users to rateLimit requests per second (429), and leaves 0 unlimited", async () => {
    await put('/profiles/slow', { policies: [{ roleId: 'default' }], rateLimit: 3 });
    const slow = await userWith('slow', ['slow']);
    const answers = await Promise.all(Array.from({ length: 20 }, () => k.call('GET', '/_me', { jwt: slow })));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(errorOf(limited[0]!)).toEqual({ status: 429, id: 'api.process.too_many_requests' });
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    const free = await Promise.all(Array.from({ length: 20 }, () => as('reader', 'GET', '/_me')));
    expect(free.every((answer) => answer.status === 200)).toBe(true);
    // A throttled user can still end their session (as Kuzzle), even in the middle of a burst.
    const [logout] = await Promise.all([k.call('POST', '/_logout', { jwt: slow }), ...Array.from({ length: 20 }, () => k.call('GET', '/_me', { jwt: slow }))]);
    expect(logout.status).toBe(200);
  });
});
