/**
 * Plugin API actions through the real kernel and HTTP app: the local
 * plugin's password actions (reset tokens, reset, self-service change) with
 * the kernel's rights and token revocation, and what the kernel serves of a
 * plugin description that breaks the rules.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPluginsConfig } from '../../kernel/config/plugins-config.js';
import { PluginStore } from '../../kernel/storage/plugin-store.js';
import { startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const NEW_PASSWORD = 'a brand new passphrase';
const PUBLIC = ['password:reset', 'password:change'];

describe('the local plugin password actions over HTTP', () => {
  let k: ApiKernel;
  let admin: string;
  beforeAll(async () => {
    k = await startApiKernel({ local: { publicActions: PUBLIC, config: { lockout: { maxFailures: 3, windowMinutes: 15 }, policy: { maxAgeDays: 90 } } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  const issue = (kuid: string, jwt?: string) => k.call('POST', `/_/local/password/reset-token/${kuid}`, jwt === undefined ? {} : { jwt });
  const reset = (token: string, password = NEW_PASSWORD) => k.call('POST', '/_/local/password/reset', { body: { token, password } });
  const change = (username: string, currentPassword: string, newPassword = NEW_PASSWORD) =>
    k.call('POST', '/_/local/password/change', { body: { username, currentPassword, newPassword } });
  const login = (username: string, password: string) => k.call('POST', '/_login/local', { body: { username, password } });

  it('lists the routes in /_publicApi under controller local/password', async () => {
    const { body } = await k.call('GET', '/_publicApi');
    expect(body.result['local/password']).toEqual({
      createResetToken: { http: [{ verb: 'POST', url: '/_/local/password/reset-token/:_id' }] },
      reset: { http: [{ verb: 'POST', url: '/_/local/password/reset' }] },
      change: { http: [{ verb: 'POST', url: '/_/local/password/change' }] },
    });
  });

  it('lets admins only create reset tokens: 403 for a default user, 401 for anonymous', async () => {
    const kuid = await k.createUser(admin, 'bob');
    const bob = await k.login('bob');
    const issued = await issue(kuid, admin);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ controller: 'local/password', action: 'createResetToken', result: { resetToken: expect.any(String), expiresAt: expect.any(Number) } });
    expect((await issue(kuid, bob)).body.error).toMatchObject({ id: 'security.rights.forbidden', status: 403 });
    expect((await issue(kuid)).body.error).toMatchObject({ id: 'security.rights.unauthorized', status: 401 });
  });

  it('resets a password with a token as anonymous, ends every session at once, and spends the token', async () => {
    const kuid = await k.createUser(admin, 'carol');
    const carol = await k.login('carol');
    const { resetToken } = (await issue(kuid, admin)).body.result as { resetToken: string };
    const done = await reset(resetToken);
    expect(done.status).toBe(200);
    expect(done.body.result).toEqual({ acknowledged: true });
    expect((await k.call('GET', '/_me', { jwt: carol })).body.error).toMatchObject({ id: 'security.token.invalid', status: 401 });
    expect((await login('carol', NEW_PASSWORD)).status).toBe(200);
    expect((await login('carol', USER_PASSWORD)).status).toBe(401);
    expect((await reset(resetToken, 'yet another passphrase')).body.error).toMatchObject({
      id: 'plugin.custom.unauthorized',
      status: 401,
      message: 'reset token is invalid, used or expired',
    });
  });

  it('changes a password as anonymous with the current one, ending every session', async () => {
    await k.createUser(admin, 'dave');
    const dave = await k.login('dave');
    const done = await change('dave', USER_PASSWORD);
    expect(done.status).toBe(200);
    expect(done.body.result).toEqual({ acknowledged: true });
    expect((await k.call('GET', '/_me', { jwt: dave })).body.error).toMatchObject({ id: 'security.token.invalid' });
    expect((await login('dave', NEW_PASSWORD)).status).toBe(200);
    expect((await login('dave', USER_PASSWORD)).status).toBe(401);
    // A wrong current password and an unknown username: one identical answer.
    const wrong = (await change('dave', 'not the current passphrase')).body.error;
    const unknown = (await change('nobody-at-all', 'not the current passphrase')).body.error;
    expect(wrong).toMatchObject({ id: 'plugin.custom.unauthorized', status: 401, message: 'wrong username or password' });
    expect(unknown).toEqual(wrong);
  });

  it('answers a failed login with one 401 plugin.strategy.missing_user, whether the user exists or not', async () => {
    await k.createUser(admin, 'erin');
    const wrong = await login('erin', 'not the right passphrase');
    const unknown = await login('nobody-here', 'not the right passphrase');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ id: 'plugin.strategy.missing_user', message: 'wrong username or password' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error);
  });

  it('locks an account out after maxFailures with 429, for logins and changes alike; an admin setting a new password unlocks it', async () => {
    const kuid = await k.createUser(admin, 'frank');
    for (let i = 0; i < 3; i++) expect((await login('frank', 'a wrong guess here')).status).toBe(401);
    const locked = await login('frank', USER_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ id: 'plugin.custom.too_many_requests', message: expect.stringMatching(/^too many failed logins for this account: retry in \d+ s$/) });
    expect((await change('frank', USER_PASSWORD)).status).toBe(429);
    // An admin who sets a new password unlocks the account at once: the guesses were at the old one.
    expect((await k.call('PUT', `/credentials/local/${kuid}/_update`, { jwt: admin, body: { password: NEW_PASSWORD } })).status).toBe(200);
    expect((await login('frank', NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses an expired password at login with a clear message; the change action fixes it', async () => {
    const kuid = await k.createUser(admin, 'grace');
    // Set 91 days ago (maxAgeDays is 90), in the plugin's own namespace file.
    const store = PluginStore.open(join(k.dataDir, 'plugins', 'local.sqlite'));
    store.update('credentials', kuid, { passwordSetAt: Date.now() - 91 * 86_400_000 });
    store.close();
    const expired = await login('grace', USER_PASSWORD);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ id: 'plugin.strategy.missing_user', message: 'password expired: it must be changed' });
    expect((await change('grace', USER_PASSWORD)).status).toBe(200);
    expect((await login('grace', NEW_PASSWORD)).body.result).toMatchObject({ _id: kuid, jwt: expect.any(String) });
  });

  it('answers 404 for a plugin action or route that does not exist', async () => {
    expect((await k.call('POST', '/_/local/password/nope', { body: {} })).body.error).toMatchObject({ id: 'network.http.url_not_found', status: 404 });
    expect((await k.call('GET', '/_/local/password/change')).body.error).toMatchObject({ id: 'network.http.url_not_found' });
    expect((await k.call('POST', '/_/nowhere/password/reset', { body: {} })).body.error).toMatchObject({ id: 'network.http.url_not_found' });
    const query = await k.call('POST', '/_query', { body: { controller: 'local/password', action: 'nope' }, jwt: admin });
    expect(query.body.error).toMatchObject({ id: 'api.process.action_not_found', status: 404 });
  });
});

describe('the local plugin password actions without publicActions', () => {
  let k: ApiKernel;
  beforeAll(async () => {
    k = await startApiKernel();
  });
  afterAll(() => k.stop());

  it('refuses reset and change to anonymous (401) and to default users (403)', async () => {
    const admin = await k.firstAdmin();
    const kuid = await k.createUser(admin, 'heidi');
    const heidi = await k.login('heidi');
    const { resetToken } = (await k.call('POST', `/_/local/password/reset-token/${kuid}`, { jwt: admin })).body.result as { resetToken: string };
    const resetBody = { body: { token: resetToken, password: NEW_PASSWORD } };
    const changeBody = { body: { username: 'heidi', currentPassword: USER_PASSWORD, newPassword: NEW_PASSWORD } };
    expect((await k.call('POST', '/_/local/password/reset', resetBody)).body.error).toMatchObject({ id: 'security.rights.unauthorized', status: 401 });
    expect((await k.call('POST', '/_/local/password/change', changeBody)).body.error).toMatchObject({ id: 'security.rights.unauthorized' });
    expect((await k.call('POST', '/_/local/password/reset', { ...resetBody, jwt: heidi })).body.error).toMatchObject({ id: 'security.rights.forbidden', status: 403 });
    // Refused by the kernel, never reaching the plugin: the token still works for an admin.
    expect((await k.call('POST', '/_/local/password/reset', { ...resetBody, jwt: admin })).body.result).toEqual({ acknowledged: true });
  });

  it('is opened by the repository plugins.json, createResetToken excepted', () => {
    const shipped = loadPluginsConfig(fileURLToPath(new URL('../../plugins.json', import.meta.url)));
    expect(shipped.plugins.local).toMatchObject({ enabled: true, publicActions: PUBLIC });
  });
});

describe('plugin routes the kernel refuses to serve', () => {
  // What the runtime checks and accepts: every handler is `echo`.
  const api = {
    routes: {
      actions: {
        valid: { handler: 'echo', http: [{ verb: 'get', path: 'routes/valid/:id' }] },
        dotdot: { handler: 'echo', http: [{ verb: 'get', path: 'routes/../escape' }, { verb: 'get', path: '/routes/dotdot' }] },
        badVerb: { handler: 'echo', http: [] },
      },
    },
  };
  // What the kernel receives instead, as from a compromised isolate: the runtime's checks bypassed.
  const forgedApi = {
    routes: {
      valid: { http: [{ verb: 'get', path: 'routes/valid/:id' }] },
      dotdot: { http: [{ verb: 'get', path: 'routes/../escape' }, { verb: 'get', path: '/routes/dotdot' }] },
      badVerb: { http: [{ verb: 'trace', path: 'routes/bad-verb' }, { verb: 'GET', path: 'routes/bad-verb' }, null, 'get /x', { verb: 'post', path: 'routes/bad-verb' }] },
      noRoutes: { http: 'get routes/x' },
      notAnAction: 42,
    },
    junk: 'not a controller',
  };
  let k: TestKernel;
  beforeAll(async () => {
    k = await startTestKernel({ forged: { fixture: 'forged-api', config: { api, forgedApi }, publicActions: ['routes:valid', 'routes:dotdot', 'routes:badVerb'] } });
  });
  afterAll(() => k.stop());

  it('serves only the valid routes of a malformed description, and boots (a null route used to crash the boot)', async () => {
    const { body } = await k.request('/_publicApi');
    expect((body.result as Record<string, unknown>)['forged/routes']).toEqual({
      valid: { http: [{ verb: 'GET', url: '/_/forged/routes/valid/:id' }] },
      dotdot: { http: [{ verb: 'GET', url: '/_/forged/routes/dotdot' }] },
      badVerb: { http: [{ verb: 'POST', url: '/_/forged/routes/bad-verb' }] },
      noRoutes: { http: [] },
    });
    expect(await k.request('/_/forged/routes/valid/42')).toMatchObject({ status: 200, body: { result: { action: 'valid', args: { id: '42' } } } });
    expect(await k.request('/_/forged/routes/bad-verb', { method: 'POST' })).toMatchObject({ status: 200, body: { result: { action: 'badVerb' } } });
    for (const path of ['/_/forged/escape', '/_/forged/routes/bad-verb']) {
      expect(await k.request(path)).toMatchObject({ status: 404, body: { error: { id: 'network.http.url_not_found' } } });
    }
  });

  it('refuses to boot on two routes with one verb and path, however written', async () => {
    const duplicated = {
      routes: {
        actions: {
          first: { handler: 'echo', http: [{ verb: 'post', path: '/routes/same/:a' }] },
          second: { handler: 'echo', http: [{ verb: 'post', path: 'routes/same/:b' }] },
        },
      },
    };
    await expect(startTestKernel({ twice: { fixture: 'forged-api', config: { api: duplicated } } })).rejects.toMatchObject({
      id: 'network.http.duplicate_url',
      message: expect.stringContaining('twice/routes:first and twice/routes:second'),
    });
  });
});
