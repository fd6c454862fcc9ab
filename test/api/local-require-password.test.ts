/**
 * The local plugin's `requirePassword` through the real app: a caller with
 * only a token (a stolen one) can neither change the password nor remove it
 * to set another (deleteMyCredentials then createMyCredentials); admins
 * still can; and which changes end which sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const NEW_PASSWORD = 'an attacker chosen passphrase';

const TOKEN_INVALID = { status: 401, id: 'security.token.invalid' };
const LOGIN_FAILED = { status: 401, id: 'plugin.strategy.missing_user' };

describe('local plugin with requirePassword', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ local: { config: { requirePassword: true } }, plugins: { second: { fixture: 'minimal', config: { strategy: 'second' } } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  const loginFails = async (username: string, password: string) => errorOf(await k.call('POST', '/_login/local', { body: { username, password } }));

  it('refuses deleteMyCredentials, so a stolen token cannot replace the password through delete then create', async () => {
    await k.createUser(admin, 'victim');
    const stolen = await k.login('victim');
    const victims = await k.login('victim');
    for (const path of ['/_me/credentials/local', '/credentials/local/_me']) {
      const deleted = await k.call('DELETE', path, { jwt: stolen });
      expect(errorOf(deleted)).toEqual({ status: 403, id: 'plugin.custom.forbidden' });
      expect(deleted.body.error?.message).toContain('by an administrator (security:deleteCredentials)');
    }
    expect((await k.call('GET', '/_me/credentials/local/_exists', { jwt: stolen })).body.result).toBe(true);
    const created = await k.call('POST', '/_me/credentials/local/_create', { jwt: stolen, body: { username: 'victim', password: NEW_PASSWORD } });
    expect(errorOf(created)).toEqual({ status: 412, id: 'plugin.custom.precondition_failed' });
    expect(await loginFails('victim', NEW_PASSWORD)).toEqual(LOGIN_FAILED);
    expect(await k.login('victim')).toMatch(/^kauth-/);
    expect((await k.call('GET', '/_me', { jwt: victims })).status).toBe(200);
  });

  it("lets an admin delete the user's credentials, which ends every session of the user", async () => {
    const kuid = await k.createUser(admin, 'locked-out');
    const sessions = [await k.login('locked-out'), await k.login('locked-out')];
    expect((await k.call('DELETE', `/credentials/local/${kuid}`, { jwt: admin })).body.result).toEqual({ acknowledged: true });
    for (const jwt of sessions) expect(errorOf(await k.call('GET', '/_me', { jwt }))).toEqual(TOKEN_INVALID);
    expect(await loginFails('locked-out', USER_PASSWORD)).toEqual(LOGIN_FAILED);
    expect((await k.call('GET', '/_me', { jwt: admin })).status).toBe(200);
    // The admin can give a new password, which the user logs in with.
    const created = await k.call('POST', `/credentials/local/${kuid}/_create`, { jwt: admin, body: { username: 'locked-out', password: NEW_PASSWORD } });
    expect(created.body.result).toEqual({ username: 'locked-out', kuid });
    expect(await k.login('locked-out', NEW_PASSWORD)).toMatch(/^kauth-/);
  });

  it('lets a user logged in through another strategy add a local password (no current one to prove)', async () => {
    const body = { content: { profileIds: ['default'] }, credentials: { second: { login: 'sso-user', secret: 's3cret' } } };
    const kuid = (await k.call('POST', '/users/_create', { jwt: admin, body })).body.result._id as string;
    const jwt = (await k.call('POST', '/_login/second', { body: { login: 'sso-user', secret: 's3cret' } })).body.result.jwt as string;
    const created = await k.call('POST', '/_me/credentials/local/_create', { jwt, body: { username: 'sso-user', password: USER_PASSWORD } });
    expect(created.body.result).toEqual({ username: 'sso-user', kuid });
    expect(await k.login('sso-user')).toMatch(/^kauth-/);
  });

  it("keeps the other sessions on a username change; a password change ends them but the caller's", async () => {
    const kuid = await k.createUser(admin, 'renaming');
    const jwt = await k.login('renaming');
    const other = await k.login('renaming');
    const renamed = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { username: 'renamed', currentPassword: USER_PASSWORD } });
    expect(renamed.body.result).toEqual({ username: 'renamed', kuid });
    expect((await k.call('GET', '/_me', { jwt: other })).status).toBe(200);
    const changed = await k.call('PUT', '/_me/credentials/local/_update', { jwt, body: { password: NEW_PASSWORD, currentPassword: USER_PASSWORD } });
    expect(changed.body.result).toEqual({ username: 'renamed', kuid });
    expect(errorOf(await k.call('GET', '/_me', { jwt: other }))).toEqual(TOKEN_INVALID);
    expect((await k.call('GET', '/_me', { jwt })).status).toBe(200);
    expect(await k.login('renamed', NEW_PASSWORD)).toMatch(/^kauth-/);
  });
});

describe('local plugin without requirePassword', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  it("lets users delete their own credentials, which ends their other sessions and keeps the caller's", async () => {
    await k.createUser(admin, 'leaving');
    const jwt = await k.login('leaving');
    const other = await k.login('leaving');
    expect((await k.call('DELETE', '/_me/credentials/local', { jwt })).body.result).toEqual({ acknowledged: true });
    expect(errorOf(await k.call('GET', '/_me', { jwt: other }))).toEqual(TOKEN_INVALID);
    expect((await k.call('GET', '/_me', { jwt })).status).toBe(200);
  });
});
