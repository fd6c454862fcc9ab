/**
 * Privilege escalation, through the real app and the bundled local plugin:
 * a user with the `default` profile, and one with a custom limited profile,
 * try every way to raise their rights or reach another user's — their own
 * profiles, new users, roles and profiles, another user's credentials, API
 * keys and tokens, rights queries, plugin admin actions, `POST /_query` and
 * the deprecated aliases. Each attempt must be refused with its documented
 * error, and an admin must then read exactly the state there was before.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginStore } from '../../kernel/storage/plugin-store.js';
import { ADMIN_PASSWORD, USER_PASSWORD, errorOf, startApiKernel, type ApiBody, type ApiKernel } from '../helpers/api-kernel.js';

const FORBIDDEN = { status: 403, id: 'security.rights.forbidden' };
const FORBIDDEN_ARGUMENT = { status: 400, id: 'api.assert.forbidden_argument' };
const NEW_PASSWORD = 'a brand new passphrase';

type Attempt = [what: string, method: string, path: string, body: unknown, refusal: { status: number; id: string }];

/** Each call is refused before its handler by the rights check, or by the argument check where the action is the caller's own. */
const ATTEMPTS: Attempt[] = [
  // Its own profiles.
  ['updateSelf with profileIds', 'PUT', '/_me', { profileIds: ['admin'] }, FORBIDDEN_ARGUMENT],
  ['updateSelf with profileIds among other fields', 'PUT', '/_me', { name: 'x', profileIds: ['admin', 'default'] }, FORBIDDEN_ARGUMENT],
  ['updateSelf with profileIds spelt with a JSON escape', 'PUT', '/_me', '{"profile\\u0049ds": ["admin"]}', FORBIDDEN_ARGUMENT],
  ['updateSelf with profileIds given twice', 'PUT', '/_me', '{"profileIds": ["default"], "profileIds": ["admin"]}', FORBIDDEN_ARGUMENT],
  ['updateSelf with another _id', 'PUT', '/_me', { _id: 'alice', name: 'x' }, FORBIDDEN_ARGUMENT],
  ['updateSelf through its deprecated route', 'PUT', '/_updateSelf', { profileIds: ['admin'] }, FORBIDDEN_ARGUMENT],
  ['updateSelf through /_query', 'POST', '/_query', { controller: 'auth', action: 'updateSelf', body: { profileIds: ['admin'] } }, FORBIDDEN_ARGUMENT],
  ['updateUser on itself', 'PUT', '/users/{me}/_update', { profileIds: ['admin'] }, FORBIDDEN],
  ['replaceUser on itself', 'PUT', '/users/{me}/_replace', { profileIds: ['admin'] }, FORBIDDEN],
  ['upsertUser on itself', 'POST', '/users/{me}/_upsert', { content: { profileIds: ['admin'] } }, FORBIDDEN],
  ['updateUser on itself through /_query', 'POST', '/_query', { controller: 'security', action: 'updateUser', _id: '{me}', body: { profileIds: ['admin'] } }, FORBIDDEN],
  // New users.
  ['createUser as admin', 'POST', '/users/mallory/_create', { content: { profileIds: ['admin'] }, credentials: { local: { username: 'mallory', password: USER_PASSWORD } } }, FORBIDDEN],
  ['createUser with a generated kuid', 'POST', '/users/_create', { content: { profileIds: ['default'] }, credentials: { local: { username: 'mallory', password: USER_PASSWORD } } }, FORBIDDEN],
  ['createRestrictedUser', 'POST', '/users/mallory/_createRestricted', { content: {}, credentials: { local: { username: 'mallory', password: USER_PASSWORD } } }, FORBIDDEN],
  ['createFirstAdmin', 'POST', '/_createFirstAdmin/mallory', { credentials: { local: { username: 'mallory', password: USER_PASSWORD } } }, { status: 412, id: 'api.process.admin_exists' }],
  ['createFirstAdmin with reset', 'POST', '/_createFirstAdmin/mallory?reset', { credentials: { local: { username: 'mallory', password: USER_PASSWORD } } }, { status: 412, id: 'api.process.admin_exists' }],
  ['createUser through /_query', 'POST', '/_query', { controller: 'security', action: 'createUser', _id: 'mallory', body: { content: { profileIds: ['admin'] } } }, FORBIDDEN],
  // Roles and profiles.
  ['createRole', 'POST', '/roles/everything/_create', { controllers: { '*': { actions: { '*': true } } } }, FORBIDDEN],
  ['createOrReplaceRole on default', 'PUT', '/roles/default', { controllers: { '*': { actions: { '*': true } } } }, FORBIDDEN],
  ['updateRole on its own role', 'PUT', '/roles/support/_update', { controllers: { '*': { actions: { '*': true } } } }, FORBIDDEN],
  ['deleteRole', 'DELETE', '/roles/support', undefined, FORBIDDEN],
  ['createProfile', 'POST', '/profiles/everything/_create', { policies: [{ roleId: 'admin' }] }, FORBIDDEN],
  ['createOrReplaceProfile on default', 'PUT', '/profiles/default', { policies: [{ roleId: 'admin' }] }, FORBIDDEN],
  ['updateProfile on default', 'PUT', '/profiles/default/_update', { policies: [{ roleId: 'admin' }] }, FORBIDDEN],
  ['updateProfile on its own profile', 'PUT', '/profiles/support/_update', { policies: [{ roleId: 'admin' }] }, FORBIDDEN],
  ['restrictDefaultRights', 'POST', '/_restrictDefaultRights', undefined, FORBIDDEN],
  // Another user's credentials.
  ['getCredentials', 'GET', '/credentials/local/alice', undefined, FORBIDDEN],
  ['getCredentialsById', 'GET', '/credentials/local/alice/_byId', undefined, FORBIDDEN],
  ['hasCredentials', 'GET', '/credentials/local/alice/_exists', undefined, FORBIDDEN],
  ['validateCredentials', 'POST', '/credentials/local/alice/_validate', { username: 'alice', password: USER_PASSWORD }, FORBIDDEN],
  ['searchUsersByCredentials', 'POST', '/credentials/local/users/_search', { query: { username: 'alice' } }, FORBIDDEN],
  ['getUserStrategies', 'GET', '/users/alice/_strategies', undefined, FORBIDDEN],
  ['createCredentials', 'POST', '/credentials/local/alice/_create', { username: 'alice2', password: USER_PASSWORD }, FORBIDDEN],
  ['updateCredentials', 'PUT', '/credentials/local/alice/_update', { password: NEW_PASSWORD }, FORBIDDEN],
  ['deleteCredentials', 'DELETE', '/credentials/local/alice', undefined, FORBIDDEN],
  ['getCredentials through /_query', 'POST', '/_query', { controller: 'security', action: 'getCredentials', strategy: 'local', _id: 'alice' }, FORBIDDEN],
  // Another user's API keys and tokens.
  ['searchApiKeys of another user', 'POST', '/users/alice/api-keys/_search', {}, FORBIDDEN],
  ['createApiKey for another user', 'POST', '/users/alice/api-keys/_create', { description: 'mine now' }, FORBIDDEN],
  ['deleteApiKey of another user', 'DELETE', '/users/alice/api-keys/alice-key', undefined, FORBIDDEN],
  ['deleteApiKey of another user, by its id alone', 'DELETE', '/api-keys/alice-key', undefined, { status: 404, id: 'services.storage.not_found' }],
  ['revokeTokens of another user', 'DELETE', '/users/alice/tokens', undefined, FORBIDDEN],
  // Other users' rights, and the users themselves.
  ['getUserRights', 'GET', '/users/alice/_rights', undefined, FORBIDDEN],
  ['checkRights for another user', 'POST', '/_checkRights/alice', { controller: 'security', action: 'updateUser' }, FORBIDDEN],
  ['getProfileRights', 'GET', '/profiles/admin/_rights', undefined, FORBIDDEN],
  ['deleteUser', 'DELETE', '/users/alice', undefined, FORBIDDEN],
  ['mDeleteUsers', 'POST', '/users/_mDelete', { ids: ['alice'] }, FORBIDDEN],
  ['searchAuditEvents', 'POST', '/audit/_search', {}, FORBIDDEN],
  ['serverInfo (admins)', 'GET', '/_serverInfo', undefined, FORBIDDEN],
  // Plugin admin actions.
  ['local/password:createResetToken', 'POST', '/_/local/password/reset-token/alice', undefined, FORBIDDEN],
  ['local/password:createResetToken through /_query', 'POST', '/_query', { controller: 'local/password', action: 'createResetToken', _id: 'alice' }, FORBIDDEN],
  // Names the table does not have are not folded onto ones it has.
  ['a controller in another case', 'POST', '/_query', { controller: 'Security', action: 'updateUser', _id: '{me}', body: { profileIds: ['admin'] } }, { status: 404, id: 'api.process.controller_not_found' }],
  ['an action with a trailing space', 'POST', '/_query', { controller: 'security', action: 'updateUser ', _id: '{me}', body: { profileIds: ['admin'] } }, { status: 404, id: 'api.process.action_not_found' }],
  ['an inherited name as action', 'POST', '/_query', { controller: 'security', action: 'constructor' }, { status: 404, id: 'api.process.action_not_found' }],
  ['an inherited name as controller', 'POST', '/_query', { controller: '__proto__', action: 'updateUser' }, { status: 404, id: 'api.process.controller_not_found' }],
];

describe('privilege escalation by users without admin rights', () => {
  let k: ApiKernel;
  let admin: string;
  const tokens: Record<string, string> = {};
  let aliceKey: string;

  const as = (who: string, method: string, path: string, body?: unknown) =>
    k.call(method, path.replaceAll('{me}', who), { jwt: tokens[who]!, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.parse(JSON.stringify(body).replaceAll('{me}', who)) }) });
  const asAdmin = (method: string, path: string, body?: unknown) => k.call(method, path, { jwt: admin, ...(body === undefined ? {} : { body }) });
  const result = async (answer: Promise<{ status: number; body: ApiBody }>) => {
    const { status, body } = await answer;
    expect(status, JSON.stringify(body.error)).toBe(200);
    return body.result;
  };

  /** Everything an escalation could change, as an admin reads it. */
  async function state(): Promise<Record<string, unknown>> {
    const store = PluginStore.open(join(k.dataDir, 'plugins', 'local.sqlite'));
    const resetTokens = store.count('reset-tokens');
    store.close();
    return {
      users: (await result(asAdmin('POST', '/users/_search?size=100', {}))).hits,
      roles: (await result(asAdmin('POST', '/roles/_search?size=100', {}))).hits,
      profiles: (await result(asAdmin('POST', '/profiles/_search?size=100', {}))).hits,
      aliceCredentials: await result(asAdmin('GET', '/credentials/local/alice')),
      aliceKeys: (await result(asAdmin('POST', '/users/alice/api-keys/_search', {}))).hits,
      bobRights: await result(asAdmin('GET', '/users/bob/_rights')),
      carolRights: await result(asAdmin('GET', '/users/carol/_rights')),
      aliceToken: await result(k.call('POST', '/_checkToken', { body: { token: tokens.alice } })),
      aliceKey: await result(k.call('POST', '/_checkToken', { body: { token: aliceKey } })),
      resetTokens,
    };
  }

  beforeAll(async () => {
    k = await startApiKernel({ local: { publicActions: ['password:reset', 'password:change'] } });
    admin = await k.firstAdmin();
    // A custom limited profile: its own session, plus reading users.
    await result(asAdmin('PUT', '/roles/support', { controllers: { security: { actions: { getUser: true, searchUsers: true, mGetUsers: true } } } }));
    await result(asAdmin('PUT', '/profiles/support', { policies: [{ roleId: 'default' }, { roleId: 'support' }] }));
    for (const [kuid, profileIds] of [['alice', ['default']], ['bob', ['default']], ['carol', ['support']]] as const) {
      const body = { content: { profileIds }, credentials: { local: { username: kuid, password: USER_PASSWORD } } };
      await result(asAdmin('POST', `/users/${kuid}/_create`, body));
      tokens[kuid] = await k.login(kuid);
    }
    aliceKey = (await result(k.call('POST', '/api-keys/_create?_id=alice-key', { jwt: tokens.alice!, body: { description: 'alice' } })))._source.token as string;
    // The snapshot sees what it must: alice's token and key valid, no reset token yet.
    expect(await state()).toMatchObject({ aliceToken: { valid: true, kuid: 'alice' }, aliceKey: { valid: true, kuid: 'alice' }, aliceKeys: [{ _id: 'alice-key' }], resetTokens: 0 });
  });
  afterAll(() => k.stop());

  describe.each([
    ['bob', 'default'],
    ['carol', 'a custom limited'],
  ])('%s, with the %s profile', (who) => {
    it.each(ATTEMPTS)('is refused: %s', async (_what, method, path, body, refusal) => {
      const before = await state();
      expect(errorOf(await as(who, method, path, body))).toEqual(refusal);
      expect(await state()).toEqual(before);
    });
  });

  it('changes nothing through fields updateSelf accepts: nested, __proto__, constructor, or arguments in the query', async () => {
    const attempts: unknown[] = [
      { content: { profileIds: ['admin'] }, _source: { profileIds: ['admin'] } },
      '{"__proto__": {"profileIds": ["admin"]}}',
      { constructor: { prototype: { profileIds: ['admin'] } } },
    ];
    for (const body of attempts) expect((await as('bob', 'PUT', '/_me', body)).status).toBe(200);
    expect((await as('bob', 'PUT', '/_me?_id=alice&profileIds=admin', { note: 'query arguments' })).status).toBe(200);
    expect((await as('bob', 'POST', '/_query', { controller: 'auth', action: 'updateSelf', _id: 'alice', profileIds: ['admin'], body: { note: 'query' } })).status).toBe(200);
    expect((await result(asAdmin('GET', '/users/bob')))._source.profileIds).toEqual(['default']);
    expect((await result(asAdmin('GET', '/users/alice')))._source).toEqual({ profileIds: ['default'] });
    expect(Object.prototype).not.toHaveProperty('profileIds');
    // Still no more rights than before: the rights check reads the stored profiles.
    expect(errorOf(await as('bob', 'GET', '/users/alice'))).toEqual(FORBIDDEN);
    expect((await result(as('bob', 'POST', '/_checkRights', { controller: 'security', action: 'updateUser' })))).toEqual({ allowed: false });
  });

  it("cannot take another user's username or change another user's password through its own credentials", async () => {
    const before = await state();
    const taken = await as('bob', 'PUT', '/_me/credentials/local/_update', { username: 'alice' });
    expect(errorOf(taken)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
    // The public change action needs that user's current password, not the caller's.
    const changed = await as('bob', 'POST', '/_/local/password/change', { username: 'alice', currentPassword: USER_PASSWORD + ' (bob)', newPassword: NEW_PASSWORD });
    expect(errorOf(changed)).toEqual({ status: 401, id: 'plugin.custom.unauthorized' });
    expect(await state()).toEqual(before);
    expect((await k.call('POST', '/_login/local', { body: { username: 'alice', password: USER_PASSWORD } })).body.result._id).toBe('alice');
  });

  it('gets only its own user, rights and credentials from the deprecated aliases', async () => {
    expect((await result(as('bob', 'GET', '/users/_me')))._id).toBe('bob');
    expect(await result(as('bob', 'GET', '/credentials/local/_me'))).toEqual({ username: 'bob', kuid: 'bob' });
    const rights = (await result(as('bob', 'GET', '/users/_me/_rights'))) as { hits: Array<{ controller: string; action: string; value: string }> };
    expect(rights.hits.filter((hit) => hit.controller === 'security' && hit.value === 'allowed')).toEqual([]);
  });

  it("learns from checkToken on another user's token or key only whether it is valid, whose it is and when it expires", async () => {
    for (const token of [tokens.alice!, aliceKey]) {
      const answer = await result(as('bob', 'POST', '/_checkToken', { token }));
      expect(answer).toEqual({ valid: true, kuid: 'alice', expiresAt: expect.any(Number) });
    }
    // Looking spent nothing: both still authenticate as alice.
    expect((await result(k.call('GET', '/_me', { jwt: tokens.alice! })))._id).toBe('alice');
    expect((await result(k.call('GET', '/_me', { jwt: aliceKey })))._id).toBe('alice');
  });

  it("keeps API keys per user: a key made with another user's key id is the caller's, and deleting it leaves the other one", async () => {
    const mine = await result(as('bob', 'POST', '/api-keys/_create?_id=alice-key', { description: 'same id' }));
    expect((await result(k.call('GET', '/_me', { jwt: mine._source.token as string })))._id).toBe('bob');
    const listed = (await result(as('bob', 'POST', '/api-keys/_search', {}))) as { hits: Array<{ _id: string; _source: Record<string, unknown> }> };
    expect(listed.hits.map((hit) => [hit._id, hit._source.userId])).toEqual([['alice-key', 'bob']]);
    expect(listed.hits.every((hit) => !('token' in hit._source))).toBe(true);
    expect((await as('bob', 'DELETE', '/api-keys/alice-key')).status).toBe(200);
    expect((await result(k.call('GET', '/_me', { jwt: aliceKey })))._id).toBe('alice');
    expect((await result(asAdmin('POST', '/users/alice/api-keys/_search', {}))).total).toBe(1);
  });

  it('cannot mint a key or token that outlives its rights: rights are read at each use', async () => {
    const dave = { content: { profileIds: ['support'] }, credentials: { local: { username: 'dave', password: USER_PASSWORD } } };
    await result(asAdmin('POST', '/users/dave/_create', dave));
    const daveToken = await k.login('dave');
    const key = (await result(k.call('POST', '/api-keys/_create', { jwt: daveToken, body: { description: 'forever' } })))._source.token as string;
    const token = (await result(k.call('POST', '/_createToken', { jwt: daveToken }))).token as string;
    for (const jwt of [key, token]) expect((await k.call('GET', '/users/alice', { jwt })).status).toBe(200);
    await result(asAdmin('PUT', '/users/dave/_update', { profileIds: ['default'] }));
    for (const jwt of [key, token, daveToken]) expect(errorOf(await k.call('GET', '/users/alice', { jwt }))).toEqual(FORBIDDEN);
    // Nor a token longer than TOKEN_MAX_TTL (1 day).
    expect(errorOf(await k.call('POST', '/_createToken?expiresIn=2d', { jwt: daveToken }))).toEqual({ status: 400, id: 'security.token.ttl_exceeded' });
  });

  it('leaves the admin able to do all of it (the attempts fail for want of rights, not for being malformed)', async () => {
    expect((await asAdmin('GET', '/credentials/local/alice')).status).toBe(200);
    expect((await asAdmin('POST', '/credentials/local/users/_search', { query: { username: 'alice' } })).status).toBe(200);
    expect((await asAdmin('GET', '/users/alice/_rights')).status).toBe(200);
    expect((await asAdmin('POST', '/_/local/password/reset-token/alice')).status).toBe(200);
    expect((await asAdmin('PUT', '/profiles/support/_update', { policies: [{ roleId: 'default' }, { roleId: 'support' }] })).status).toBe(200);
    expect((await k.call('POST', '/_login/local', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(200);
  });
});
