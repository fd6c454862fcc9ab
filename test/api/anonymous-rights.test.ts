import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';
import { documentedAnonymousActions } from '../helpers/api-doc.js';

/** The plugin action plugins.json opens to everyone in this file's kernel. */
const PUBLIC_PLUGIN_ACTION = 'local/password:reset';

describe('what anonymous may call, before and after the first admin', () => {
  let k: ApiKernel;
  beforeAll(async () => {
    k = await startApiKernel({ local: { publicActions: ['password:reset'] } });
  });
  afterAll(() => k.stop());

  /**
   * Calls every route of every action anonymous may not call, as anonymous:
   * each must be 401 security.rights.unauthorized, from the action the route
   * belongs to (rights are checked before the input, so any arguments do).
   */
  async function expectEverythingElseRefused(): Promise<number> {
    const open = new Set([...documentedAnonymousActions(), PUBLIC_PLUGIN_ACTION]);
    const api = (await k.call('GET', '/_publicApi')).body.result as Record<string, Record<string, { http: Array<{ verb: string; url: string }> }>>;
    let checked = 0;
    for (const [controller, actions] of Object.entries(api)) {
      for (const [action, { http }] of Object.entries(actions)) {
        if (open.has(`${controller}:${action}`)) continue;
        for (const { verb, url } of http) {
          const path = url.replace(/:strategy\b/g, 'local').replace(/:\w+/g, 'x');
          const { status, body } = await k.call(verb, path, verb === 'GET' || verb === 'DELETE' ? {} : { body: {} });
          const seen = { route: `${verb} ${path}`, status, id: body.error?.id, controller: body.controller, action: body.action };
          expect(seen).toEqual({ ...seen, status: 401, id: 'security.rights.unauthorized', controller, action });
          checked += 1;
        }
      }
    }
    return checked;
  }

  it('before a first admin exists: nothing beyond the list in API.md (and the opened plugin action)', async () => {
    const documented = documentedAnonymousActions();
    expect(documented).toHaveLength(8);
    // Every action of the list is served: a renamed action would leave the doc stale.
    const api = (await k.call('GET', '/_publicApi')).body.result as Record<string, Record<string, unknown>>;
    for (const name of documented) {
      const [controller, action] = name.split(':') as [string, string];
      expect(api[controller]?.[action], name).toBeDefined();
    }
    expect(await expectEverythingElseRefused()).toBeGreaterThan(30);
    const createUser = await k.call('POST', '/users/_create', { body: { content: { profileIds: ['admin'] } } });
    expect([createUser.status, createUser.body.error?.id]).toEqual([401, 'security.rights.unauthorized']);
  });

  it('the open actions answer anonymous callers', async () => {
    for (const [method, path] of [['GET', '/_now'], ['GET', '/_healthCheck'], ['GET', '/_publicApi'], ['GET', '/strategies'], ['GET', '/_me']] as const) {
      expect({ path, status: (await k.call(method, path)).status }).toEqual({ path, status: 200 });
    }
    expect((await k.call('POST', '/_checkToken', { body: {} })).body.result).toEqual({ valid: true, kuid: '-1', expiresAt: null });
    // Refused for its credentials, not for its rights.
    expect((await k.call('POST', '/_login/local', { body: { username: 'nobody', password: 'whatever it is' } })).body.error?.id).toBe('plugin.strategy.missing_user');
    const reset = await k.call('POST', '/_/local/password/reset', { body: { token: 'not-a-reset-token', password: 'a new passphrase here' } });
    expect(reset.body.controller).toBe('local/password');
    expect(reset.body.error?.id).not.toMatch(/^security\.rights\./);
  });

  it('createFirstAdmin is open until an admin exists, then 412 api.process.admin_exists for everyone', async () => {
    const credentials = { local: { username: 'admin', password: ADMIN_PASSWORD } };
    const created = await k.call('POST', '/_createFirstAdmin/root', { body: { credentials } });
    expect(created.status).toBe(200);
    expect(created.body.result).toMatchObject({ _id: 'root', _source: { profileIds: ['admin'] } });
    const admin = await k.login('admin', ADMIN_PASSWORD);
    const other = { local: { username: 'admin2', password: ADMIN_PASSWORD } };
    for (const jwt of [undefined, admin]) {
      const again = await k.call('POST', '/_createFirstAdmin', { body: { credentials: other }, ...(jwt === undefined ? {} : { jwt }) });
      expect([again.status, again.body.error?.id]).toEqual([412, 'api.process.admin_exists']);
    }
    // Nothing was created by the refused calls.
    expect((await k.call('POST', '/_login/local', { body: { username: 'admin2', password: ADMIN_PASSWORD } })).status).toBe(401);
  });

  it('after the first admin: anonymous is refused the same actions; users get 403, not 401', async () => {
    expect(await expectEverythingElseRefused()).toBeGreaterThan(30);
    const admin = await k.login('admin', ADMIN_PASSWORD);
    await k.createUser(admin, 'alice');
    const alice = await k.login('alice');
    const byUser = await k.call('POST', '/users/_create', { jwt: alice, body: { content: { profileIds: ['admin'] } } });
    expect([byUser.status, byUser.body.error?.id]).toEqual([403, 'security.rights.forbidden']);
    const resetToken = await k.call('POST', '/_/local/password/reset-token/alice', { jwt: alice });
    expect([resetToken.status, resetToken.body.error?.id]).toEqual([403, 'security.rights.forbidden']);
    const reset = await k.call('POST', '/_/local/password/reset', { jwt: alice, body: { token: 'not-a-reset-token', password: 'a new passphrase here' } });
    expect(reset.body.error?.id).not.toMatch(/^security\.rights\./);
  });
});
