/**
 * The audit log through the real app, isolates and kernel database: one
 * record for each kind of event (logins, logouts, token revocations,
 * credential changes, rights denials, admin changes, plugin actions),
 * nothing for reads and the hot path, security:searchAuditEvents for
 * admins only with checked filters, and no secret anywhere in the table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, errorOf, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

const WRONG_PASSWORD = 'not the password at all';
const NEW_PASSWORD = 'a brand new passphrase';
const NEWER_PASSWORD = 'yet another passphrase';
type Source = Record<string, unknown>;

describe('the audit log', () => {
  let k: ApiKernel;
  let admin: string;
  /** Every password and token this file uses: none may reach the audit log. */
  const secrets: string[] = [ADMIN_PASSWORD, USER_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, NEWER_PASSWORD];

  beforeAll(async () => {
    // A plugin API beside the local plugin's: an undeclared action, one declared `none`, and one whose
    // declaration a compromised isolate forged past the runtime's check (the kernel takes it as undeclared).
    const action = (name: string, audit?: string) => ({ [name]: { handler: 'echo', http: [{ verb: 'post', path: `pets/${name}` }], ...(audit === undefined ? {} : { audit }) } });
    const api = { pets: { actions: { ...action('feed'), ...action('look', 'none'), ...action('forge') } } };
    const forgedApi = { pets: { feed: { http: [{ verb: 'post', path: 'pets/feed' }] }, look: { http: [{ verb: 'post', path: 'pets/look' }], audit: 'none' }, forge: { http: [{ verb: 'post', path: 'pets/forge' }], audit: 'login' } } };
    k = await startApiKernel({ local: { publicActions: ['password:reset', 'password:change'] }, plugins: { zoo: { fixture: 'forged-api', config: { api, forgedApi } } } });
    admin = await k.firstAdmin();
    secrets.push(admin);
  });
  afterAll(() => k.stop());

  /** As admin, or as `jwt`'s owner; null for anonymous. */
  const search = (body?: unknown, query = '', jwt: string | null = admin) => k.call('POST', `/audit/_search${query}`, { ...(jwt === null ? {} : { jwt }), ...(body === undefined ? {} : { body }) });
  const events = async (filters: Record<string, unknown>): Promise<Source[]> => {
    const answer = await search(filters, '?size=1000');
    expect(answer.status).toBe(200);
    return (answer.body.result.hits as Array<{ _source: Source }>).map((hit) => hit._source);
  };
  const total = async () => (await search(undefined, '?size=0')).body.result.total as number;
  const userWithToken = async (username: string) => {
    const kuid = await k.createUser(admin, username);
    const jwt = await k.login(username);
    secrets.push(jwt);
    return { kuid, jwt };
  };

  it('records the first admin as an admin change by anonymous, and its login', async () => {
    expect(await events({ action: 'createFirstAdmin' })).toEqual([expect.objectContaining({ type: 'adminChange', outcome: 'success', kuid: null, target: 'admin', reason: null })]);
    expect(await events({ type: 'login', kuid: 'admin' })).toEqual([expect.objectContaining({ outcome: 'success', identifier: 'admin', strategy: 'local' })]);
  });

  it('records a login: the kuid on success; the identifier given and why on failure, which the client never sees', async () => {
    const { kuid } = await userWithToken('ada');
    const wrong = await k.call('POST', '/_login/local', { body: { username: 'ada', password: WRONG_PASSWORD } });
    const unknown = await k.call('GET', `/_login/local?username=nobody-here&password=${encodeURIComponent(WRONG_PASSWORD)}`);
    expect(errorOf(wrong)).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(unknown.body.error).toEqual(wrong.body.error);
    expect(await events({ type: 'login', identifier: 'ada' })).toEqual([
      expect.objectContaining({ outcome: 'failure', kuid: null, strategy: 'local', controller: 'auth', action: 'login', reason: 'plugin.strategy.missing_user (wrong password)' }),
      expect.objectContaining({ outcome: 'success', kuid, strategy: 'local', reason: null }),
    ]);
    // From the query string as passport read it; the strategy's reason tells what the answer hides.
    expect(await events({ identifier: 'nobody-here' })).toEqual([expect.objectContaining({ type: 'login', outcome: 'failure', reason: 'plugin.strategy.missing_user (unknown user)' })]);
    await k.call('POST', '/_login/nope', { body: { username: 'ada', password: WRONG_PASSWORD } });
    expect(await events({ strategy: 'nope' })).toEqual([expect.objectContaining({ identifier: 'ada', outcome: 'failure', reason: 'security.credentials.unknown_strategy' })]);
  });

  it('records the IP a request came from (over a real socket)', async () => {
    const url = await k.kernel.listen();
    await fetch(`${url}/_login/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'over-tcp', password: WRONG_PASSWORD }) });
    const [event] = await events({ identifier: 'over-tcp' });
    expect(event?.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await events({ ip: event!.ip })).toContainEqual(event);
  });

  it('records a logout, and a global logout and security:revokeTokens as token revocations', async () => {
    const { kuid, jwt } = await userWithToken('bea');
    const second = await k.login('bea');
    const third = await k.login('bea');
    secrets.push(second, third);
    expect((await k.call('POST', '/_logout', { jwt })).status).toBe(200);
    expect((await k.call('POST', '/_logout?global', { jwt: second })).status).toBe(200);
    expect((await k.call('DELETE', `/users/${kuid}/tokens`, { jwt: admin })).status).toBe(200);
    expect(await events({ kuid, action: 'logout' })).toEqual([
      expect.objectContaining({ type: 'tokenRevocation', outcome: 'success', controller: 'auth' }),
      expect.objectContaining({ type: 'logout', outcome: 'success', controller: 'auth' }),
    ]);
    expect(await events({ type: 'tokenRevocation', target: kuid })).toEqual([expect.objectContaining({ kuid: 'admin', controller: 'security', action: 'revokeTokens', outcome: 'success' })]);
  });

  it("records credential changes by admins and by users, failures included, and the sessions the plugin ends", async () => {
    expect((await k.call('POST', '/users/cal/_create', { jwt: admin, body: { content: { profileIds: ['default'] } } })).status).toBe(200);
    expect((await k.call('POST', '/credentials/local/cal/_create', { jwt: admin, body: { username: 'cal', password: USER_PASSWORD } })).status).toBe(200);
    expect((await k.call('PUT', '/credentials/local/cal/_update', { jwt: admin, body: { password: 'short' } })).status).toBe(400);
    expect((await k.call('PUT', '/credentials/local/cal/_update', { jwt: admin, body: { password: NEW_PASSWORD } })).status).toBe(200);
    const cal = await k.login('cal', NEW_PASSWORD);
    secrets.push(cal);
    expect((await k.call('PUT', '/_me/credentials/local/_update', { jwt: cal, body: { password: NEWER_PASSWORD } })).status).toBe(200);
    expect((await k.call('DELETE', '/_me/credentials/local', { jwt: cal })).status).toBe(200);
    expect((await k.call('POST', '/_me/credentials/local/_create', { jwt: cal, body: { username: 'cal', password: NEW_PASSWORD } })).status).toBe(200);
    expect((await k.call('DELETE', '/credentials/local/cal', { jwt: admin })).status).toBe(200);
    const changes = (await events({ type: 'credentialChange', strategy: 'local' })).filter((e) => e.target === 'cal' || e.kuid === 'cal');
    expect(changes.map((e) => [e.kuid, e.action, e.outcome])).toEqual([
      ['admin', 'deleteCredentials', 'success'],
      ['cal', 'createMyCredentials', 'success'],
      ['cal', 'deleteMyCredentials', 'success'],
      ['cal', 'updateMyCredentials', 'success'],
      ['admin', 'updateCredentials', 'success'],
      ['admin', 'updateCredentials', 'failure'],
      ['admin', 'createCredentials', 'success'],
    ]);
    expect(changes.find((e) => e.outcome === 'failure')?.reason).toMatch(/^plugin\.custom\./);
    // The local plugin ends sessions after each password change and deletion, through the host.
    expect((await events({ controller: 'local', target: 'cal' })).map((e) => [e.type, e.action])).toEqual(Array(4).fill(['tokenRevocation', 'users.revokeTokens']));
  });

  it("records the local plugin's password actions as it declares them: reset tokens as admin changes, resets and changes as credential changes", async () => {
    const { kuid } = await userWithToken('dan');
    const issued = await k.call('POST', `/_/local/password/reset-token/${kuid}`, { jwt: admin });
    const resetToken = issued.body.result.resetToken as string;
    secrets.push(resetToken);
    expect((await k.call('POST', '/_/local/password/reset', { body: { token: resetToken, password: NEW_PASSWORD } })).status).toBe(200);
    expect((await k.call('POST', '/_/local/password/change', { body: { username: 'dan', currentPassword: WRONG_PASSWORD, newPassword: NEWER_PASSWORD } })).status).toBe(401);
    expect((await k.call('POST', '/_/local/password/change', { body: { username: 'dan', currentPassword: NEW_PASSWORD, newPassword: NEWER_PASSWORD } })).status).toBe(200);
    expect(await events({ controller: 'local/password', since: (await events({ target: kuid, action: 'createResetToken' }))[0]!.at as number })).toEqual([
      expect.objectContaining({ type: 'credentialChange', action: 'change', outcome: 'success', kuid: null, identifier: 'dan' }),
      expect.objectContaining({ type: 'credentialChange', action: 'change', outcome: 'failure', identifier: 'dan', reason: 'plugin.custom.unauthorized' }),
      expect.objectContaining({ type: 'credentialChange', action: 'reset', outcome: 'success', kuid: null, identifier: null }),
      expect.objectContaining({ type: 'adminChange', action: 'createResetToken', outcome: 'success', kuid: 'admin', target: kuid }),
    ]);
  });

  it('records undeclared plugin actions as plugin actions, and nothing for one declared `none`', async () => {
    for (const name of ['feed', 'look', 'forge']) expect((await k.call('POST', `/_/zoo/pets/${name}`, { jwt: admin })).status).toBe(200);
    expect((await events({ controller: 'zoo/pets' })).map((e) => [e.type, e.action, e.kuid])).toEqual([
      ['pluginAction', 'forge', 'admin'],
      ['pluginAction', 'feed', 'admin'],
    ]);
  });

  it('records rights denials: anonymous (401), an authenticated user (403), a revoked token, a second first admin (412)', async () => {
    const { kuid, jwt } = await userWithToken('eve');
    expect(errorOf(await k.call('GET', '/users/admin'))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    expect(errorOf(await k.call('DELETE', '/users/admin', { jwt }))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    await k.call('POST', '/_logout', { jwt });
    expect(errorOf(await k.call('GET', '/_me', { jwt }))).toEqual({ status: 401, id: 'security.token.invalid' });
    expect(errorOf(await k.call('POST', '/_createFirstAdmin/again', { body: {} }))).toEqual({ status: 412, id: 'api.process.admin_exists' });
    const denials = await events({ type: 'rightsDenial' });
    expect(denials.slice(0, 4)).toEqual([
      expect.objectContaining({ outcome: 'failure', kuid: null, controller: 'security', action: 'createFirstAdmin', target: 'again', reason: 'api.process.admin_exists' }),
      expect.objectContaining({ kuid: null, controller: 'auth', action: 'getCurrentUser', reason: 'security.token.invalid (revoked)' }),
      expect.objectContaining({ kuid, controller: 'security', action: 'deleteUser', target: 'admin', reason: 'security.rights.forbidden' }),
      expect.objectContaining({ kuid: null, controller: 'security', action: 'getUser', target: 'admin', reason: 'security.rights.unauthorized' }),
    ]);
  });

  it('records admin changes on users: create (the new kuid as target), update, delete, mDelete, and a refused one', async () => {
    const kuid = await k.createUser(admin, 'fay');
    await k.createUser(admin, 'gus', USER_PASSWORD, 'gus');
    await k.createUser(admin, 'hal', USER_PASSWORD, 'hal');
    expect((await k.call('PUT', `/users/${kuid}/_update`, { jwt: admin, body: { name: 'Fay' } })).status).toBe(200);
    expect((await k.call('POST', '/users/gus/_create', { jwt: admin, body: { content: { profileIds: ['default'] } } })).status).toBe(412);
    expect((await k.call('DELETE', `/users/${kuid}`, { jwt: admin })).status).toBe(200);
    expect((await k.call('POST', '/users/_mDelete', { jwt: admin, body: { ids: ['gus', 'hal'] } })).status).toBe(200);
    const changes = await events({ type: 'adminChange', kuid: 'admin', controller: 'security' });
    expect(changes.slice(0, 6).map((e) => [e.action, e.target, e.outcome, e.reason])).toEqual([
      ['mDeleteUsers', 'gus,hal', 'success', null],
      ['deleteUser', kuid, 'success', null],
      ['createUser', 'gus', 'failure', 'security.user.already_exists'],
      ['updateUser', kuid, 'success', null],
      ['createUser', 'hal', 'success', null],
      ['createUser', 'gus', 'success', null],
    ]);
    expect(await events({ action: 'createUser', target: kuid })).toHaveLength(1);
  });

  it('records nothing for reads and the hot path (an authenticated GET /_now)', async () => {
    const { jwt } = await userWithToken('ivy');
    const before = await total();
    for (let i = 0; i < 3; i += 1) expect((await k.call('GET', '/_now', { jwt })).status).toBe(200);
    await k.call('GET', '/_now');
    await k.call('GET', '/_me', { jwt });
    await k.call('POST', '/_checkToken', { body: { token: jwt } });
    await k.call('GET', '/users/admin', { jwt: admin });
    await k.call('POST', '/users/_search', { jwt: admin, body: {} });
    expect(await total()).toBe(before);
  });

  it('searches with filters, newest first, paged with from and size', async () => {
    const all = await events({ type: 'login', outcome: 'success' });
    expect(all.length).toBeGreaterThan(4);
    expect(all.every((e) => e.type === 'login' && e.outcome === 'success')).toBe(true);
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at as number)].sort((a, b) => b - a));
    const page = await search({ type: 'login', outcome: 'success' }, '?from=2&size=2');
    expect(page.body.result.total).toBe(all.length);
    expect(page.body.result.hits.map((hit: { _source: Source }) => hit._source)).toEqual(all.slice(2, 4));
    const at = all[2]!.at as number;
    // Compared with lists filtered here, which hold at least all[2] and, older, the first admin's login.
    const sameTime = all.filter((e) => e.at === at);
    expect(sameTime.length).toBeGreaterThan(0);
    expect(await events({ type: 'login', outcome: 'success', since: at, until: at })).toEqual(sameTime);
    const earlier = (await events({ type: 'login' })).filter((e) => (e.at as number) < at);
    expect(earlier.length).toBeGreaterThan(0);
    expect(await events({ type: 'login', until: at - 1 })).toEqual(earlier);
  });

  it('is for admins only: 403 for a user, 401 for anonymous, both recorded', async () => {
    const { kuid, jwt } = await userWithToken('joe');
    expect(errorOf(await search({}, '', jwt))).toEqual({ status: 403, id: 'security.rights.forbidden' });
    expect(errorOf(await search({}, '', null))).toEqual({ status: 401, id: 'security.rights.unauthorized' });
    expect((await events({ action: 'searchAuditEvents' })).slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'rightsDenial', kuid: null }),
      expect.objectContaining({ type: 'rightsDenial', kuid }),
    ]);
  });

  it.each([
    ['an unknown filter', { typ: 'login' }, ''],
    ['an unknown type', { type: 'everything' }, ''],
    ['an outcome that is neither', { outcome: 'maybe' }, ''],
    ['a time that is not ms', { since: '2024-01-01' }, ''],
    ['an empty kuid', { kuid: '' }, ''],
    ['a size over 1000', {}, '?size=1001'],
    ['a negative from', {}, '?from=-1'],
  ])('refuses %s with 400 api.assert.invalid_argument', async (_case, body, query) => {
    expect(errorOf(await search(body, query))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
  });

  // Last: it reads what every test above recorded.
  it('records what the other issue-5 parts do: cookie-mode login and logout, role and profile writes, restrictDefaultRights, API keys (owner and id)', async () => {
    const { kuid } = await userWithToken('cleo');
    const cookieLogin = await k.call('POST', '/_login/local?cookieAuth', { body: { username: 'cleo', password: USER_PASSWORD } });
    expect(cookieLogin.status).toBe(200);
    const cookie = /authToken=([^;]+)/.exec(cookieLogin.headers.get('set-cookie') ?? '')![1]!;
    secrets.push(cookie);
    expect((await k.call('POST', '/_logout?cookieAuth', { headers: { cookie: `authToken=${cookie}` } })).status).toBe(200);
    // Two successful logins: userWithToken's, and the cookie-mode one (its answer carries Set-Cookie).
    expect(await events({ type: 'login', kuid })).toEqual([expect.objectContaining({ outcome: 'success', identifier: 'cleo' }), expect.objectContaining({ outcome: 'success', identifier: 'cleo' })]);
    expect(await events({ type: 'logout', kuid })).toEqual([expect.objectContaining({ outcome: 'success' })]);

    await k.call('PUT', '/roles/auditors', { jwt: admin, body: { controllers: { security: { actions: { searchAuditEvents: true } } } } });
    await k.call('PUT', '/profiles/auditors/_update', { jwt: admin, body: { rateLimit: 5 } });
    await k.call('POST', '/_restrictDefaultRights', { jwt: admin });
    const changes = await events({ type: 'adminChange', kuid: 'admin', since: Date.now() - 60_000 });
    const names = changes.map((event) => `${event.action as string}:${String(event.target)}:${event.outcome as string}`);
    expect(names).toEqual(expect.arrayContaining(['createOrReplaceRole:auditors:success', 'updateProfile:auditors:failure', 'restrictDefaultRights:null:success']));

    const created = await k.call('POST', `/users/${kuid}/api-keys/_create?_id=ci`, { jwt: admin, body: { description: 'ci' } });
    secrets.push(created.body.result._source.token as string);
    await k.call('DELETE', `/users/${kuid}/api-keys/ci`, { jwt: admin });
    const keyEvents = await events({ target: `${kuid}/ci` });
    expect(keyEvents.map((event) => `${event.action as string}:${event.outcome as string}`).sort()).toEqual(['createApiKey:success', 'deleteApiKey:success']);
  });

  it('holds no password and no token, in its search results nor anywhere in the kernel database', async () => {
    expect(await total()).toBeGreaterThan(40);
    const listed = JSON.stringify((await search(undefined, '?size=1000')).body.result);
    const file = join(k.dataDir, 'kernel.sqlite');
    const stored = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    for (const secret of secrets) {
      expect(listed).not.toContain(secret);
      expect(stored.includes(Buffer.from(secret))).toBe(false);
    }
    expect(listed).not.toMatch(/kauth-/);
  });
});
