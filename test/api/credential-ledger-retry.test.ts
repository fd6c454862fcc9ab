/**
 * The credential ledger settled in the background, with real kernels
 * restarted on one data dir: a backfill where one user's `exists` fails
 * skips that user only and completes once the plugin answers (a periodic
 * retry), a plugin down at boot is asked again when its thread is replaced,
 * a create of unknown outcome is settled without a restart (and not by a
 * stale answer when the kernel's own delete ran meanwhile), and
 * /_healthCheck says what is left meanwhile.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import type { LedgerRetry } from '../../kernel/security/ledger-settlement.js';
import { ADMIN_PASSWORD, errorOf, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';
import type { FixturePlugin } from '../helpers/test-kernel.js';

const IMPOSTOR: FixturePlugin = { fixture: 'impostor', allowedProfiles: ['default'] };
const FORGET_LEDGER = 'DELETE FROM credential_holders; DELETE FROM credential_ledger_state';
/** Retries every few ms: tests wait on the outcome, never on a clock. */
const QUICK: LedgerRetry = { firstMs: 20, maxMs: 100 };
/** No periodic retry within a test: only a thread becoming ready can start a pass. */
const NEVER: LedgerRetry = { firstMs: 3_600_000, maxMs: 3_600_000 };

describe('the credential ledger settled in the background', () => {
  const running: ApiKernel[] = [];
  afterEach(async () => {
    for (const k of running.splice(0)) await k.stop();
  });

  const start = async (options: { dataDir?: string; impostor?: Record<string, unknown>; ledgerRetry?: LedgerRetry } = {}) => {
    const plugins = { impostor: { ...IMPOSTOR, config: options.impostor ?? {} } };
    const k = await startApiKernel({ plugins, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), ...(options.ledgerRetry === undefined ? {} : { ledgerRetry: options.ledgerRetry }) });
    running.push(k);
    return k;
  };
  /** Stops `k`, forgets its ledger (as an install from before it), starts a kernel on the same data dir. */
  const restartWithoutLedger = async (k: ApiKernel, impostor: Record<string, unknown>, ledgerRetry: LedgerRetry) => {
    await k.stop();
    running.splice(running.indexOf(k), 1);
    const db = openKernelDb(join(k.dataDir, 'kernel.sqlite'));
    db.exec(FORGET_LEDGER);
    db.close();
    return start({ dataDir: k.dataDir, impostor, ledgerRetry });
  };
  const vouch = (k: ApiKernel, kuid: string) => k.call('POST', '/_login/impostor', { body: { vouchFor: kuid } });
  const health = async (k: ApiKernel) => (await k.call('GET', '/_healthCheck')).body.result as { status: string; ledger: Record<string, unknown> };
  const logged = (k: ApiKernel, msg: string) => k.logs().map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg);

  it("skips a user whose exists fails, enrolls the others at boot, reports the strategy incomplete, and completes once the plugin answers", async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    const ben = await k.createUser(admin, 'ben');
    await k.createUser(admin, 'cat');
    for (const kuid of ['admin', ben]) expect((await k.call('POST', `/credentials/impostor/${kuid}/_create`, { jwt: admin, body: {} })).status).toBe(200);

    const after = await restartWithoutLedger(k, { failExistsFor: [ben] }, QUICK);
    expect((await vouch(after, 'admin')).status).toBe(200);
    expect(errorOf(await vouch(after, ben))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    const incomplete = await health(after);
    expect(incomplete.status).toBe('yellow');
    expect(incomplete.ledger).toMatchObject({ status: 'incomplete', strategies: ['impostor'], unsettled: 0 });
    expect(logged(after, 'credential ledger backfill incomplete: logins in this strategy are refused for users not recorded yet; tried again later')[0]).toMatchObject({ strategy: 'impostor', skipped: 1 });

    const jwt = await after.login('admin', ADMIN_PASSWORD);
    expect((await after.call('POST', '/_/impostor/faults/clear', { jwt })).status).toBe(200);
    await expect.poll(async () => (await health(after)).ledger.status, { timeout: 20_000, interval: 20 }).toBe('complete');
    expect((await vouch(after, ben)).status).toBe(200);
    expect(await health(after)).toMatchObject({ status: 'green', ledger: { status: 'complete', strategies: [], unsettled: 0 } });
    // cat holds no impostor credentials: still refused.
    expect(logged(after, 'credential ledger backfilled')).toContainEqual(expect.objectContaining({ strategy: 'impostor', users: 3, holders: 2 }));
  });

  it('asks a plugin that failed every exists at boot again when its thread is replaced', async () => {
    const k = await start();
    const admin = await k.firstAdmin();
    expect((await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} })).status).toBe(200);

    const after = await restartWithoutLedger(k, { failExists: true }, NEVER);
    expect(errorOf(await vouch(after, 'admin'))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await health(after)).ledger).toMatchObject({ status: 'incomplete', strategies: ['impostor'], retryInMs: expect.any(Number) });

    const jwt = await after.login('admin', ADMIN_PASSWORD);
    expect((await after.call('POST', '/_/impostor/faults/clear', { jwt })).status).toBe(200);
    // The thread serving this action exits; its replacement's readiness starts a pass (no periodic one is due within the test).
    expect((await after.call('POST', '/_/impostor/faults/crash', { jwt })).status).toBe(200);
    await expect.poll(async () => (await health(after)).ledger.status, { timeout: 20_000, interval: 20 }).toBe('complete');
    expect((await vouch(after, 'admin')).status).toBe(200);
  });

  it('settles a create of unknown outcome (500 after writing) without a restart', async () => {
    const k = await start({ ledgerRetry: QUICK });
    const admin = await k.firstAdmin();
    const ivy = await k.createUser(admin, 'ivy');
    expect((await k.call('POST', `/credentials/impostor/${ivy}/_create`, { jwt: admin, body: { writeThenFail: true } })).status).toBe(500);
    await expect.poll(async () => (await vouch(k, ivy)).status, { timeout: 20_000, interval: 20 }).toBe(200);
    expect(logged(k, 'settled a credentials creation of unknown outcome')).toEqual([expect.objectContaining({ kuid: ivy, strategy: 'impostor', exists: true })]);
    expect((await health(k)).ledger).toEqual({ status: 'complete', strategies: [], unsettled: 0 });
  });

  it("leaves a row to the kernel's own delete that ran while a background pass asked exists: the pass's stale true enrolls no one", async () => {
    const k = await start({ ledgerRetry: QUICK });
    const admin = await k.firstAdmin();
    const ivy = await k.createUser(admin, 'ivy');
    expect((await k.call('POST', `/credentials/impostor/${ivy}/_create`, { jwt: admin, body: { writeThenFail: true, gatedExists: true } })).status).toBe(500);
    // A background pass asked exists: the plugin read true (the credentials were written) and holds the answer at its gate.
    const gateWaiting = async () => (await k.call('GET', '/_/impostor/gate/status', { jwt: admin })).body.result as { waiting: boolean };
    await expect.poll(async () => (await gateWaiting()).waiting, { timeout: 20_000, interval: 20 }).toBe(true);
    expect((await k.call('DELETE', `/credentials/impostor/${ivy}`, { jwt: admin })).status).toBe(200);
    expect((await k.call('POST', '/_/impostor/gate/open', { jwt: admin })).status).toBe(200);
    await expect.poll(async () => (await gateWaiting()).waiting, { timeout: 20_000, interval: 20 }).toBe(false);
    await expect.poll(async () => (await health(k)).ledger, { timeout: 20_000, interval: 20 }).toEqual({ status: 'complete', strategies: [], unsettled: 0 });

    // The delete's outcome stands: ivy holds no impostor credentials, and a plugin vouching for her is refused.
    expect(errorOf(await vouch(k, ivy))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(logged(k, 'settled a credentials creation of unknown outcome')).toEqual([]);
  });
});
