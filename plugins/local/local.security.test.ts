import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pepperFor } from '../../kernel/host/plugin-peppers.js';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import { PluginStore } from '../../kernel/storage/plugin-store.js';
import { localPlugin } from './test/local-plugin.js';

const PASSWORD = 'a very secret passphrase';
const NEW_PASSWORD = 'another very secret passphrase';

const local = localPlugin();

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
    const p = await local.start({ policy: { historySize: 2 }, requirePassword: true, lockout: { maxFailures: 3, windowMinutes: 15 } });
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
    // requirePassword: a wrong current password, then a locked account (429), then the right one.
    const self = { controller: 'auth', action: 'updateMyCredentials', userId: 'kuid-ada' };
    for (let i = 0; i < 4; i++) {
      await run(() => p.call('local', 'update', { credentials: { password: NEW_PASSWORD, currentPassword: `${PASSWORD} wrong` }, kuid: 'kuid-ada', request: self }));
    }
    await run(() => p.login('local', { username: 'ada', password: PASSWORD }));
    // Reset: the token is for the admin's result only, never for a log line.
    const issued = await outcome(() => p.action('password', 'createResetToken', { args: { _id: 'kuid-ada' } }));
    const resetToken = (JSON.parse(issued) as { resetToken: string }).resetToken;
    expect(resetToken).toMatch(/^[\w-]{32,}$/);
    await run(() => p.action('password', 'reset', { body: { token: resetToken, password: 'short' } }));
    await run(() => p.action('password', 'reset', { body: { token: resetToken, password: PASSWORD } }));
    await run(() => p.action('password', 'reset', { body: { token: resetToken, password: PASSWORD } }));
    // Self-service change: a wrong current password, an unknown user, a locked account.
    await run(() => p.action('password', 'change', { body: { username: 'ada', currentPassword: PASSWORD, newPassword: NEW_PASSWORD } }));
    await run(() => p.action('password', 'change', { body: { username: 'nobody', currentPassword: PASSWORD, newPassword: NEW_PASSWORD } }));
    expect(outputs.join('\n')).toContain('too many wrong passwords for this account');
    expect(p.logs().join('\n')).not.toContain(resetToken);

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
    const p = await local.start();
    await p.call('local', 'create', { credentials: { username: 'ada', password: PASSWORD }, kuid: 'kuid-ada' });
    const verifies = () => p.logs().filter((line) => line.includes('"hostCall":"password.verify"')).length;

    const before = verifies();
    await p.login('local', { username: 'ada', password: 'wrong but long enough' });
    await expect.poll(verifies).toBe(before + 1);
    await p.login('local', { username: 'nobody', password: 'wrong but long enough' });
    await expect.poll(verifies).toBe(before + 2);
  });
});
