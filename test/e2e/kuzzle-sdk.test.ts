/**
 * The official kuzzle-sdk (v7, HTTP protocol), unmodified, against a kernel
 * listening on a real port: it builds its routes from /_publicApi at
 * connect, then logs in, manages its session and credentials, manages users
 * as an admin, authenticates with an API key, and raises `tokenExpired` when
 * its token runs out.
 */
import { Http, Kuzzle } from 'kuzzle-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

describe('kuzzle-sdk over HTTP', () => {
  let k: ApiKernel;
  let port: number;
  const clients: Kuzzle[] = [];

  /** A connected SDK client; disconnected after the file. */
  async function connect(): Promise<Kuzzle> {
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port }));
    clients.push(kuzzle);
    await kuzzle.connect();
    return kuzzle;
  }

  /** The Kuzzle error id a call is rejected with. */
  async function errorId(call: Promise<unknown>): Promise<string | undefined> {
    return call.then(
      () => undefined,
      (error: { id?: string }) => error.id,
    );
  }

  beforeAll(async () => {
    k = await startApiKernel();
    port = Number(new URL(await k.kernel.listen()).port);
  });
  afterAll(async () => {
    for (const kuzzle of clients) kuzzle.disconnect();
    await k.stop();
  });

  it('connects and routes from /_publicApi', async () => {
    const kuzzle = await connect();
    expect(port).toBeGreaterThan(0);
    const routes = (kuzzle.protocol as Http).routes;
    expect(routes.auth?.login).toEqual({ verb: expect.any(String), url: '/_login/:strategy' });
    expect(routes.security?.createFirstAdmin).toBeDefined();
    expect(await kuzzle.auth.getStrategies()).toEqual(['local']);
  });

  it('creates the first admin, logs in, checks and refreshes its token', async () => {
    const kuzzle = await connect();
    const created = await kuzzle.security.createFirstAdmin('admin', { content: { name: 'Ada' }, credentials: { local: { username: 'admin', password: ADMIN_PASSWORD } } });
    expect(created._id).toBe('admin');

    const jwt = await kuzzle.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    expect(jwt).toMatch(/^kauth-/);
    expect(kuzzle.auth.authenticationToken?.userId).toBe('admin');

    const me = await kuzzle.auth.getCurrentUser();
    expect(me._id).toBe('admin');
    expect(me.profileIds).toEqual(['admin']);
    expect(me.content).toMatchObject({ name: 'Ada' });

    expect(await kuzzle.auth.checkToken()).toMatchObject({ valid: true, kuid: 'admin', expiresAt: expect.any(Number) });
    expect(await kuzzle.auth.checkToken('kauth-forged.token.here')).toMatchObject({ valid: false });

    const refreshed = await kuzzle.auth.refreshToken();
    expect(refreshed).toMatchObject({ _id: 'admin', jwt: expect.stringMatching(/^kauth-/), expiresAt: expect.any(Number), ttl: expect.any(Number) });
    expect(refreshed.jwt).not.toBe(jwt);
    expect(kuzzle.jwt).toBe(refreshed.jwt);
    expect((await kuzzle.auth.getCurrentUser())._id).toBe('admin');
    // The old token can never be refreshed again.
    const stale = await connect();
    stale.jwt = jwt;
    expect(await errorId(stale.auth.refreshToken())).toMatch(/^security\.token\./);

    expect(await errorId(kuzzle.security.createFirstAdmin('second', { credentials: {} }))).toBe('api.process.admin_exists');
  });

  it('lets an admin create a user who logs in, and delete it', async () => {
    const admin = await connect();
    await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    const bob = await admin.security.createUser('bob', { content: { profileIds: ['default'], team: 'blue' }, credentials: { local: { username: 'bob', password: 'bob has a long password' } } });
    expect(bob._id).toBe('bob');
    expect(bob.profileIds).toEqual(['default']);

    const client = await connect();
    await client.auth.login('local', { username: 'bob', password: 'bob has a long password' });
    expect((await client.auth.getCurrentUser()).content).toMatchObject({ profileIds: ['default'], team: 'blue' });
    expect(await errorId(client.auth.login('local', { username: 'bob', password: 'not the password' }))).toBe('plugin.strategy.missing_user');
    // bob has the default profile: not allowed to manage users.
    expect(await errorId(client.security.deleteUser('admin'))).toBe('security.rights.forbidden');

    await admin.security.deleteUser('bob');
    expect(await errorId(client.auth.getCurrentUser())).toBe('security.token.invalid');
    expect(await errorId(client.auth.login('local', { username: 'bob', password: 'bob has a long password' }))).toBe('plugin.strategy.missing_user');
  });

  it('manages roles, profiles and rights through sdk.security and sdk.auth', async () => {
    const admin = await connect();
    await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    const role = await admin.security.createRole('user-reader', { controllers: { security: { actions: { getUser: true } } } });
    expect(role._id).toBe('user-reader');
    expect(role.controllers).toEqual({ security: { actions: { getUser: true } } });
    expect((await admin.security.getRole('user-reader')).controllers).toEqual(role.controllers);
    // As Kuzzle: admin's `*` controller matches any list.
    expect((await admin.security.searchRoles({ controllers: ['security'] })).hits.map((hit) => hit._id)).toEqual(['admin', 'user-reader']);
    const profile = await admin.security.createProfile('readers', { policies: [{ roleId: 'default' }, { roleId: 'user-reader' }] });
    expect(profile.policies).toEqual([{ roleId: 'default' }, { roleId: 'user-reader' }]);
    expect((await admin.security.updateProfile('readers', { rateLimit: 100 })).rateLimit).toBe(100);
    expect((await admin.security.mGetProfiles(['readers', 'default'])).map((hit: { _id: string }) => hit._id)).toEqual(['readers', 'default']);
    await admin.security.createUser('dora', { content: { profileIds: ['readers'] }, credentials: { local: { username: 'dora', password: 'dora has a long password' } } });

    const dora = await connect();
    await dora.auth.login('local', { username: 'dora', password: 'dora has a long password' });
    expect(await dora.auth.checkRights({ controller: 'security', action: 'getUser' })).toBe(true);
    expect(await dora.auth.checkRights({ controller: 'security', action: 'deleteUser' })).toBe(false);
    expect((await dora.security.getUser('admin'))._id).toBe('admin');
    const mine = await dora.auth.getMyRights();
    expect(mine.filter((hit) => hit.value === 'allowed' && hit.controller === 'security')).toEqual([{ controller: 'security', action: 'getUser', index: '*', collection: '*', value: 'allowed' }]);
    expect(await admin.security.checkRights('dora', { controller: 'security', action: 'getUser' })).toBe(true);
    expect(await admin.security.getUserRights('dora')).toEqual(mine);

    // A change applies to dora's next call.
    await admin.security.updateRole('user-reader', { controllers: { security: { actions: { searchUsers: true } } } });
    expect(await errorId(dora.security.getUser('admin'))).toBe('security.rights.forbidden');
    expect(await errorId(admin.security.deleteProfile('readers'))).toBe('security.profile.in_use');
    expect(await errorId(admin.security.deleteRole('user-reader'))).toBe('security.role.in_use');
    await admin.security.deleteUser('dora');
    expect(await admin.security.deleteProfile('readers')).toEqual({ _id: 'readers' });
    expect(await admin.security.deleteRole('user-reader')).toEqual({ _id: 'user-reader' });
  });

  it("manages the caller's own credentials", async () => {
    const admin = await connect();
    await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    await admin.security.createUser('carol', { content: { profileIds: ['default'] }, credentials: { local: { username: 'carol', password: 'first long password' } } });

    const carol = await connect();
    await carol.auth.login('local', { username: 'carol', password: 'first long password' });
    expect(await carol.auth.getMyCredentials('local')).toEqual({ username: 'carol', kuid: 'carol' });
    // Start over without credentials (deleting them keeps the session), then create them anew.
    expect(await carol.auth.deleteMyCredentials('local')).toBe(true);
    expect(await carol.auth.credentialsExist('local')).toBe(false);
    expect(await carol.auth.getMyCredentials('local')).toEqual({});
    expect(await carol.auth.validateMyCredentials('local', { username: 'carol', password: 'second long password' })).toBe(true);
    expect(await carol.auth.createMyCredentials('local', { username: 'carol', password: 'second long password' })).toMatchObject({ username: 'carol' });
    expect(await carol.auth.credentialsExist('local')).toBe(true);

    expect(await carol.auth.updateMyCredentials('local', { password: 'third long password' })).toMatchObject({ username: 'carol' });
    // Her own session survives her password change.
    expect((await carol.auth.getCurrentUser())._id).toBe('carol');
    expect(await errorId(carol.auth.login('local', { username: 'carol', password: 'second long password' }))).toBe('plugin.strategy.missing_user');
    await carol.auth.login('local', { username: 'carol', password: 'third long password' });
    expect(await carol.auth.getMyCredentials('local')).toEqual({ username: 'carol', kuid: 'carol' });
  });

  it('creates an API key, with which a second client is logged in by setting jwt; searches and deletes it', async () => {
    const admin = await connect();
    await admin.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    await admin.security.createUser('dave', { content: { profileIds: ['default'] }, credentials: { local: { username: 'dave', password: 'dave has a long password' } } });
    const dave = await connect();
    await dave.auth.login('local', { username: 'dave', password: 'dave has a long password' });

    const created = await dave.auth.createApiKey('Sigfox callback', { _id: 'sigfox', expiresIn: -1, refresh: 'wait_for' });
    expect(created).toEqual({ _id: 'sigfox', _source: { userId: 'dave', description: 'Sigfox callback', expiresAt: -1, ttl: -1, token: expect.stringMatching(/^kapikey-/) } });
    await dave.auth.createApiKey('CI deploy', { expiresIn: 3_600_000 });

    const device = await connect();
    device.jwt = created._source.token;
    expect(device.auth.authenticationToken?.userId).toBe('dave');
    expect((await device.auth.getCurrentUser())._id).toBe('dave');

    const found = await dave.auth.searchApiKeys({ match: { description: 'sigfox' } });
    expect(found).toEqual({ total: 1, hits: [{ _id: 'sigfox', _source: { userId: 'dave', description: 'Sigfox callback', expiresAt: -1, ttl: -1 } }] });
    const all = await dave.auth.searchApiKeys({}, { from: 1, size: 1 });
    expect(all.total).toBe(2);
    expect(all.hits.map((hit: { _source: { description: string } }) => hit._source.description)).toEqual(['CI deploy']);

    // Logging out with the key keeps it; deleting it ends it at once.
    await device.auth.logout();
    device.jwt = created._source.token;
    expect((await device.auth.getCurrentUser())._id).toBe('dave');
    expect(await dave.auth.deleteApiKey('sigfox')).toBeNull();
    expect(await errorId(device.auth.getCurrentUser())).toBe('security.token.invalid');
    expect((await dave.auth.searchApiKeys()).total).toBe(1);
  });

  it('logs out: the token is revoked', async () => {
    const kuzzle = await connect();
    const jwt = await kuzzle.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD });
    await kuzzle.auth.logout();
    expect(kuzzle.auth.authenticationToken).toBeNull();
    expect(await kuzzle.auth.checkToken(jwt)).toMatchObject({ valid: false });
    expect((await kuzzle.auth.getCurrentUser())._id).toBe('-1');
  });

  it('emits tokenExpired when a call meets its expired token', async () => {
    const kuzzle = await connect();
    await kuzzle.auth.login('local', { username: 'admin', password: ADMIN_PASSWORD }, '1s');
    const expiresAt = kuzzle.auth.authenticationToken!.expiresAt! * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));

    const expired = new Promise<void>((resolve) => kuzzle.once('tokenExpired', () => resolve()));
    expect(await errorId(kuzzle.auth.getCurrentUser())).toBe('security.token.invalid');
    await expired;
    expect(kuzzle.jwt).toBeNull();
  });
});
