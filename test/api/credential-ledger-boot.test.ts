/**
 * What boot does for the credential ledger, with real kernels restarted on
 * one data dir and the database changed in between as an older install or
 * a crash would have left it: the backfill of a database from before the
 * ledger, a fresh install marked done at once, a strategy taken over by
 * another plugin, and operations a crash cut short (a user creation, a
 * credentials creation, a deletion) finished or undone.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import type { LedgerRetry } from '../../kernel/security/ledger-settlement.js';
import { ADMIN_PASSWORD, USER_PASSWORD, errorOf, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';
import type { FixturePlugin } from '../helpers/test-kernel.js';

const IMPOSTOR: Record<string, FixturePlugin> = { impostor: { fixture: 'impostor', allowedProfiles: ['default'] } };
/** No background pass within a test: what each boot settles is what these tests check (credential-ledger-retry.test.ts checks the rest). */
const BOOT_ONLY: LedgerRetry = { firstMs: 3_600_000, maxMs: 3_600_000 };

describe('the credential ledger at boot', () => {
  const running: ApiKernel[] = [];
  afterEach(async () => {
    for (const k of running.splice(0)) await k.stop();
  });

  const start = async (dataDir?: string, plugins = IMPOSTOR) => {
    const k = await startApiKernel({ plugins, ledgerRetry: BOOT_ONLY, ...(dataDir === undefined ? {} : { dataDir }) });
    running.push(k);
    return k;
  };
  /** Stops `k`, runs `sql` on its kernel database, starts a kernel on the same data dir. */
  const restartAfter = async (k: ApiKernel, sql: string, plugins = IMPOSTOR) => {
    await k.stop();
    running.splice(running.indexOf(k), 1);
    const db = openKernelDb(join(k.dataDir, 'kernel.sqlite'));
    db.exec(sql);
    db.close();
    return start(k.dataDir, plugins);
  };
  const vouch = (k: ApiKernel, kuid: string) => k.call('POST', '/_login/impostor', { body: { vouchFor: kuid } });
  const ledgerLines = (k: ApiKernel, msg: string) => k.logs().map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg);

  it('backfills a database from before the ledger: everyone logs in after the restart, in the strategies they have credentials in', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const users = ['ann', 'ben', 'cat'];
    for (const username of users) await k.createUser(admin, username);
    await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} });

    const after = await restartAfter(k, 'DELETE FROM credential_holders; DELETE FROM credential_ledger_state');
    for (const username of users) expect(await after.login(username)).toMatch(/^kauth-/);
    expect(await after.login('admin', ADMIN_PASSWORD)).toMatch(/^kauth-/);
    expect((await vouch(after, 'admin')).status).toBe(200);
    // The backfill asked the plugin: it holds nothing for ann, whom it still cannot vouch for.
    const ann = (await after.call('POST', '/_login/local', { body: { username: 'ann', password: USER_PASSWORD } })).body.result._id as string;
    expect(errorOf(await vouch(after, ann))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(ledgerLines(after, 'credential ledger backfilled')).toEqual([
      expect.objectContaining({ strategy: 'local', plugin: 'local', users: 4, holders: 4 }),
      expect.objectContaining({ strategy: 'impostor', plugin: 'impostor', users: 4, holders: 1 }),
    ]);
  });

  it('refuses logins in a strategy whose backfill failed, until a pass completes it', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} });
    const failing = await restartAfter(k, 'DELETE FROM credential_holders; DELETE FROM credential_ledger_state', { impostor: { ...IMPOSTOR.impostor!, config: { failExists: true } } });
    // The plugin failing its exists must not switch the check off.
    expect(errorOf(await vouch(failing, 'admin'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(await failing.login('admin', ADMIN_PASSWORD)).toMatch(/^kauth-/);
    expect(ledgerLines(failing, 'credential ledger backfill incomplete: logins in this strategy are refused for users not recorded yet; tried again later')).toEqual([
      expect.objectContaining({ strategy: 'impostor', plugin: 'impostor' }),
    ]);
    const fixed = await restartAfter(failing, '');
    expect((await vouch(fixed, 'admin')).status).toBe(200);
  });

  it('keeps refusing credentials whose create failed after writing (500) until the kernel asks the plugin (here: the next boot), then lets them in', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const ivy = await k.createUser(admin, 'ivy');
    expect((await k.call('POST', `/credentials/impostor/${ivy}/_create`, { jwt: admin, body: { writeThenFail: true } })).status).toBe(500);
    expect(errorOf(await vouch(k, ivy))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    // A retry the plugin refuses (its credentials are there) must not drop the mark the first call left (review finding).
    const retry = await k.call('POST', `/credentials/impostor/${ivy}/_create`, { jwt: admin, body: {} });
    expect(retry.status).toBeGreaterThanOrEqual(400);
    expect(retry.status).toBeLessThan(500);
    const after = await restartAfter(k, '');
    expect((await vouch(after, ivy)).status).toBe(200);
  });

  it('keeps a user pending (no login) when the rollback of its creation cannot delete credentials, and finishes at the next boot', async () => {
    const k = await start(undefined, { impostor: { ...IMPOSTOR.impostor!, config: { failDelete: true } } });
    const admin = await k.firstAdmin();
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'jo', password: USER_PASSWORD }, impostor: { writeThenFail: true } } };
    expect((await k.call('POST', '/users/jo/_create', { jwt: admin, body })).status).toBe(500);
    expect((await k.call('GET', '/users/jo', { jwt: admin })).status).toBe(200);
    expect(errorOf(await vouch(k, 'jo'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    // Credentials given now would be deleted with the user when its creation is undone: refused, nothing written (review finding).
    const given = await k.call('POST', '/credentials/local/jo/_create', { jwt: admin, body: { username: 'jo', password: USER_PASSWORD } });
    expect(errorOf(given)).toEqual({ status: 412, id: 'security.user.creation_pending' });
    expect(given.body.error?.message).toContain('has not finished');

    const after = await restartAfter(k, '');
    const jwt = await after.login('admin', ADMIN_PASSWORD);
    expect(errorOf(await after.call('GET', '/users/jo', { jwt }))).toEqual({ status: 404, id: 'security.user.not_found' });
    expect(ledgerLines(after, 'undid an unfinished user creation')).toEqual([expect.objectContaining({ kuid: 'jo', strategies: ['impostor'] })]);
    expect((await after.call('POST', '/users/jo/_create', { jwt, body: { ...body, credentials: { ...body.credentials, impostor: {} } } })).status).toBe(200);
  });

  it('refuses logins from a deletion that failed (500) until boot finishes it, and forgets a row the plugin has no credentials for (404)', async () => {
    const k = await start(undefined, { impostor: { ...IMPOSTOR.impostor!, config: { failDelete: true } } });
    const admin = await k.firstAdmin();
    const kim = await k.createUser(admin, 'kim');
    await k.call('POST', `/credentials/impostor/${kim}/_create`, { jwt: admin, body: {} });
    expect((await k.call('DELETE', `/credentials/impostor/${kim}`, { jwt: admin })).status).toBe(500);
    // It may or may not have deleted them: the deletion was asked for, no login until it is done.
    expect(errorOf(await vouch(k, kim))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });

    // A row for credentials the plugin does not have (as a plugin restored from an old backup would leave).
    const after = await restartAfter(k, "INSERT INTO credential_holders VALUES ('impostor', 'admin', 'held')");
    const jwt = await after.login('admin', ADMIN_PASSWORD);
    expect((await after.call('GET', `/credentials/impostor/${kim}/_exists`, { jwt })).body.result).toBe(false);
    expect(errorOf(await vouch(after, kim))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await vouch(after, 'admin')).status).toBe(200);
    expect(errorOf(await after.call('DELETE', '/credentials/impostor/admin', { jwt }))).toEqual({ status: 404, id: 'plugin.custom.not_found' });
    expect(errorOf(await vouch(after, 'admin'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it("keeps refusing a user an admin removes when the plugin refuses the deletion (4xx); the user's own refused deletion leaves it enrolled (review finding)", async () => {
    const k = await start(undefined, { impostor: { ...IMPOSTOR.impostor!, config: { refuseDelete: true } } });
    const admin = await k.firstAdmin();
    const bo = await k.createUser(admin, 'bo');
    expect((await k.call('POST', `/credentials/impostor/${bo}/_create`, { jwt: admin, body: {} })).status).toBe(200);
    // The plugin may refuse a user's own deletion to protect it (local's requirePassword): still enrolled.
    expect(errorOf(await k.call('DELETE', '/_me/credentials/impostor', { jwt: await k.login('bo') }))).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
    expect((await vouch(k, bo)).status).toBe(200);
    // An admin's removal stands: the plugin cannot keep the user enrolled by refusing it.
    expect(errorOf(await k.call('DELETE', `/credentials/impostor/${bo}`, { jwt: admin }))).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
    expect(errorOf(await vouch(k, bo))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await k.call('GET', '/_healthCheck')).body.result.ledger).toMatchObject({ status: 'incomplete', unsettled: 1 });
  });

  const NEW_NAMESPACE = "credential ledger: the plugin's namespace is new, so it holds no credentials from before; nothing to backfill";

  it('marks a fresh install backfilled at once, and does not backfill again at the next boot', async () => {
    const k = await start();
    expect(ledgerLines(k, NEW_NAMESPACE)).toEqual([
      expect.objectContaining({ strategy: 'local', plugin: 'local' }),
      expect.objectContaining({ strategy: 'impostor', plugin: 'impostor' }),
    ]);
    const again = await restartAfter(k, '');
    expect([...ledgerLines(again, NEW_NAMESPACE), ...ledgerLines(again, 'credential ledger backfilled')]).toEqual([]);
  });

  it('asks a plugin enabled on an install with users nothing: its new namespace holds no credentials from before (it was a call per user before listening)', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    for (const name of ['ann', 'bob', 'cy']) await k.createUser(admin, name);
    // Its exists fails for everyone: had it been asked, the strategy would stay incomplete.
    const plugins = { ...IMPOSTOR, second: { fixture: 'impostor', allowedProfiles: ['default'], config: { strategy: 'second', failExists: true } } };
    const after = await restartAfter(k, '', plugins);
    expect(ledgerLines(after, NEW_NAMESPACE)).toEqual([expect.objectContaining({ strategy: 'second', plugin: 'second' })]);
    expect((await after.call('GET', '/_healthCheck')).body.result.ledger).toEqual({ status: 'complete', strategies: [], unsettled: 0 });
    // What it holds from now on is recorded by the kernel's own calls.
    expect((await after.call('POST', '/credentials/second/admin/_create', { jwt: admin, body: {} })).status).toBe(200);
    expect((await after.call('POST', '/_login/second', { body: { vouchFor: 'admin' } })).status).toBe(200);
    expect(errorOf(await after.call('POST', '/_login/second', { body: { vouchFor: 'ann' } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it('rebuilds a strategy taken over by another plugin from that plugin alone', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} });
    expect((await vouch(k, 'admin')).status).toBe(200);
    // Another plugin (its own, empty namespace) now serves the strategy "impostor".
    const after = await restartAfter(k, '', { usurper: { fixture: 'impostor', allowedProfiles: ['default'], config: { strategy: 'impostor' } } });
    expect(errorOf(await vouch(after, 'admin'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(ledgerLines(after, 'strategy now served by another plugin: its credential ledger is rebuilt from the new plugin')).toEqual([
      expect.objectContaining({ strategy: 'impostor', before: 'impostor', plugin: 'usurper' }),
    ]);
  });

  it('rebuilds a strategy taken over by a plugin whose namespace holds data from that plugin\'s exists', async () => {
    // usurper serves its own strategy "spare" at first: its namespace holds bob's credentials.
    const plugins = { ...IMPOSTOR, usurper: { fixture: 'impostor', allowedProfiles: ['default'], config: { strategy: 'spare' } } };
    const k = await start(undefined, plugins);
    const admin = await k.firstAdmin();
    const bob = await k.createUser(admin, 'bob');
    expect((await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} })).status).toBe(200);
    expect((await k.call('POST', `/credentials/spare/${bob}/_create`, { jwt: admin, body: {} })).status).toBe(200);
    // Now it serves "impostor": asked, it holds bob's credentials (its fixture keeps one document per kuid), not admin's.
    const after = await restartAfter(k, '', { usurper: { fixture: 'impostor', allowedProfiles: ['default'], config: { strategy: 'impostor' } } });
    expect(ledgerLines(after, 'credential ledger backfilled')).toEqual([expect.objectContaining({ strategy: 'impostor', plugin: 'usurper', holders: 1 })]);
    expect((await vouch(after, bob)).status).toBe(200);
    expect(errorOf(await vouch(after, 'admin'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it("does not hand rows of another plugin's unfinished backfill to a plugin with a new namespace taking the strategy over", async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const ann = await k.createUser(admin, 'ann');
    const bob = await k.createUser(admin, 'bob');
    for (const kuid of [ann, bob]) expect((await k.call('POST', `/credentials/impostor/${kuid}/_create`, { jwt: admin, body: {} })).status).toBe(200);
    // As from before the ledger, bob's exists failing: ann is recorded, and the backfill stays unfinished.
    const forget = 'DELETE FROM credential_holders; DELETE FROM credential_ledger_state';
    const partial = await restartAfter(k, forget, { impostor: { ...IMPOSTOR.impostor!, config: { failExistsFor: [bob] } } });
    expect((await vouch(partial, ann)).status).toBe(200);
    expect((await partial.call('GET', '/_healthCheck')).body.result.ledger).toMatchObject({ status: 'incomplete', strategies: ['impostor'] });
    // Another plugin, its namespace new, now serves "impostor": it holds no one's credentials.
    const after = await restartAfter(partial, '', { usurper: { fixture: 'impostor', allowedProfiles: ['default'], config: { strategy: 'impostor' } } });
    expect(errorOf(await vouch(after, ann))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it("undoes a user creation a crash interrupted: the user and every credential the ledger names are deleted", async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'eve', password: USER_PASSWORD }, impostor: {} } };
    expect((await k.call('POST', '/users/eve/_create', { jwt: admin, body })).status).toBe(200);

    // As a crash after both creates and before the end of the creation would have left it.
    const after = await restartAfter(k, "INSERT INTO pending_creations VALUES ('eve', 1); UPDATE credential_holders SET state = 'creating' WHERE kuid = 'eve'");
    const jwt = await after.login('admin', ADMIN_PASSWORD);
    expect(errorOf(await after.call('GET', '/users/eve', { jwt }))).toEqual({ status: 404, id: 'security.user.not_found' });
    expect(errorOf(await after.call('POST', '/_login/local', { body: { username: 'eve', password: USER_PASSWORD } }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    // No credentials left in either plugin: the same kuid and username are free again.
    expect((await after.call('POST', '/users/eve/_create', { jwt, body })).status).toBe(200);
    expect(ledgerLines(after, 'undid an unfinished user creation')).toEqual([expect.objectContaining({ kuid: 'eve', strategies: ['impostor', 'local'] })]);
  });

  it('settles credentials creations a crash interrupted by asking the plugin, and finishes interrupted deletions', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const fay = await k.createUser(admin, 'fay');
    const gus = await k.createUser(admin, 'gus');
    await k.call('POST', `/credentials/impostor/${gus}/_create`, { jwt: admin, body: {} });

    const after = await restartAfter(k, `
      UPDATE credential_holders SET state = 'creating' WHERE kuid = '${fay}';
      INSERT INTO credential_holders VALUES ('impostor', '${fay}', 'creating');
      UPDATE credential_holders SET state = 'deleting' WHERE kuid = '${gus}' AND strategy = 'impostor'`);
    const jwt = await after.login('admin', ADMIN_PASSWORD);
    // fay's local credentials were created: held; the impostor create never happened: no row.
    expect(await after.login('fay')).toMatch(/^kauth-/);
    expect((await after.call('GET', `/users/${fay}/_strategies`, { jwt })).body.result.strategies).toEqual(['local']);
    // gus's impostor credentials were being deleted: the deletion is finished, in the plugin too.
    expect(errorOf(await vouch(after, gus))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await after.call('GET', `/credentials/impostor/${gus}/_exists`, { jwt })).body.result).toBe(false);
    expect(await after.login('gus')).toMatch(/^kauth-/);
  });
});
