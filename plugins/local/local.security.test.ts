import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import { pepperFor } from '../../kernel/host/plugin-peppers.js';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import { PluginStore } from '../../kernel/storage/plugin-store.js';

const PLUGIN_DIR = fileURLToPath(new URL('.', import.meta.url));
const PASSWORD = 'a very secret passphrase';
const NEW_PASSWORD = 'another very secret passphrase';

let plugin: PluginHarness | undefined;
afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

/** Everything a plugin call produced, as text: results and errors (message and props). */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await run());
  } catch (error) {
    const e = error as { id?: string; message?: string; props?: unknown };
    return JSON.stringify({ id: e.id, message: e.message, props: e.props });
  }
}

describe('local strategy: secrets stay inside', () => {
  it('no password, hash, salt or pepper appears in any result, error or log line', async () => {
    const p = (plugin = await startPluginHarness({ dir: PLUGIN_DIR, config: { cost: 4, policy: { historySize: 2 } } }));
    const outputs: string[] = [];
    const run = async (call: () => Promise<unknown>) => outputs.push(await outcome(call));
    await run(() => p.call('local', 'create', { credentials: { username: 'ada', password: PASSWORD }, kuid: 'kuid-ada' }));
    await run(() => p.call('local', 'create', { credentials: { username: 'ada', password: PASSWORD }, kuid: 'kuid-other' }));
    await run(() => p.call('local', 'validate', { credentials: { username: 'bob', password: 'short' }, kuid: 'kuid-bob', isUpdate: false }));
    await run(() => p.call('local', 'update', { credentials: { password: NEW_PASSWORD }, kuid: 'kuid-ada' }));
    await run(() => p.call('local', 'update', { credentials: { password: PASSWORD }, kuid: 'kuid-ada' }));
    await run(() => p.call('local', 'getInfo', { kuid: 'kuid-ada' }));
    await run(() => p.call('local', 'getById', { id: 'ada' }));
    await run(() => p.call('local', 'search', { query: { usernamePrefix: 'a' }, from: 0, size: 10 }));
    await run(() => p.call('local', 'exists', { kuid: 'kuid-ada' }));
    await run(() => p.login('local', { username: 'ada', password: NEW_PASSWORD }));
    await run(() => p.login('local', { username: 'ada', password: PASSWORD }));
    await run(() => p.login('local', { username: 'nobody', password: PASSWORD }));

    const store = PluginStore.open(join(p.dataDir, 'plugins', 'local.sqlite'));
    const stored = store.get('credentials', 'kuid-ada')!._source as { hash: string; history: string[] };
    store.close();
    const db = openKernelDb(join(p.dataDir, 'kernel.sqlite'));
    const pepper = pepperFor(db, 'local');
    db.close();
    // bcrypt's salt is the 22 characters after "$2b$NN$".
    const secrets = [PASSWORD, NEW_PASSWORD, stored.hash, stored.hash.slice(7, 29), ...stored.history, pepper.toString('hex'), pepper.toString('base64')];
    const everything = [...outputs, ...p.logs()].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
  });

  it('runs one bcrypt compare for an unknown user, as for a wrong password (the dummy hash)', async () => {
    const p = (plugin = await startPluginHarness({ dir: PLUGIN_DIR, config: { cost: 4 } }));
    await p.call('local', 'create', { credentials: { username: 'ada', password: PASSWORD }, kuid: 'kuid-ada' });
    const verifies = () => p.logs().filter((line) => line.includes('"hostCall":"password.verify"')).length;

    const before = verifies();
    await p.login('local', { username: 'ada', password: 'wrong but long enough' });
    await expect.poll(verifies).toBe(before + 1);
    await p.login('local', { username: 'nobody', password: 'wrong but long enough' });
    await expect.poll(verifies).toBe(before + 2);
  });
});
