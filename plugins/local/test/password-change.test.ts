import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PluginHarness } from '@portcullis/sdk-plugin/testing';
import type { JsonObject } from '@portcullis/sdk-plugin';
import { PluginStore } from '../../../kernel/storage/plugin-store.js';
import { ADA_PASSWORD, hostCalls, localPlugin } from './local-plugin.js';

/** The self-service `password:change` action: current password in, new password set. */
const OLD = ADA_PASSWORD;
const NEW = 'a completely different passphrase';
const WRONG = { status: 401, id: 'plugin.custom.unauthorized', message: 'wrong username or password' };

const local = localPlugin();
const startWithAda = local.startWithAda;

const change = (p: PluginHarness, body: JsonObject) => p.action('password', 'change', { body });
const changeAda = (p: PluginHarness, currentPassword = OLD, newPassword = NEW) => change(p, { username: 'ada', currentPassword, newPassword });

/** What a refused call answered: id, status and message, nothing else. */
async function refusal(call: Promise<unknown>): Promise<{ id: string; status: number; message: string }> {
  const error = (await call.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  )) as { id: string; status: number; message: string };
  return { id: error.id, status: error.status, message: error.message };
}

describe('local strategy: self-service password change', () => {
  it('sets the new password: the new one logs in, the old one no longer does, sessions and reset tokens end', async () => {
    const p = await startWithAda();
    const { resetToken } = (await p.action('password', 'createResetToken', { args: { _id: 'kuid-ada' } })) as { resetToken: string };
    const revocations = hostCalls(p, 'users.revokeTokens');
    expect(await changeAda(p)).toEqual({ acknowledged: true });
    expect(await p.login('local', { username: 'ada', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
    expect(await p.login('local', { username: 'ada', password: OLD })).toEqual({ kind: 'fail', message: 'wrong username or password', status: 401, reason: 'wrong password' });
    await expect.poll(() => hostCalls(p, 'users.revokeTokens')).toBe(revocations + 1);
    await expect(p.action('password', 'reset', { body: { token: resetToken, password: 'an attacker chosen passphrase' } })).rejects.toMatchObject({ status: 401 });
  });

  it('answers a wrong password and an unknown username alike, after one bcrypt compare each', async () => {
    const p = await startWithAda();
    const answers = [];
    const bodies: JsonObject[] = [
      { username: 'ada', currentPassword: 'wrong but long enough', newPassword: NEW },
      { username: 'nobody', currentPassword: 'wrong but long enough', newPassword: NEW },
      { username: 'ada\u0000', currentPassword: OLD, newPassword: NEW },
      { username: 'ada', newPassword: NEW },
    ];
    for (const body of bodies) {
      const before = hostCalls(p, 'password.verify');
      answers.push(await refusal(change(p, body)));
      await expect.poll(() => hostCalls(p, 'password.verify')).toBe(before + 1);
    }
    expect(answers).toEqual([WRONG, WRONG, WRONG, WRONG]);
    // Nothing changed.
    expect(await p.login('local', { username: 'ada', password: OLD })).toMatchObject({ kind: 'success' });
  });

  it('shares the lockout of logins, for any username, and clears it on success', async () => {
    const p = await startWithAda({ lockout: { maxFailures: 3, windowMinutes: 15 } });
    await p.login('local', { username: 'ada', password: 'wrong but long enough' });
    expect(await refusal(changeAda(p, 'another wrong guess'))).toEqual(WRONG);
    await p.login('local', { username: 'ada', password: 'a third wrong guess' });
    // The fourth attempt on this account, with the right password: refused without hashing.
    const before = hostCalls(p, 'password.verify');
    await expect(changeAda(p)).rejects.toMatchObject({ status: 429, message: expect.stringContaining('too many failed logins for this account') });
    expect(hostCalls(p, 'password.verify')).toBe(before);
    await expect(p.login('local', { username: 'ada', password: OLD })).rejects.toMatchObject({ status: 429 });
    // Unknown usernames lock the same way: no answer tells whether the account exists.
    for (let i = 0; i < 3; i++) expect(await refusal(change(p, { username: 'nobody', currentPassword: OLD, newPassword: NEW }))).toEqual(WRONG);
    await expect(change(p, { username: 'nobody', currentPassword: OLD, newPassword: NEW })).rejects.toMatchObject({ status: 429 });
  });

  it('applies the password policy and history to the new password, and keeps the old one when refused', async () => {
    const p = await startWithAda({ policy: { historySize: 2, forbidUsername: true } });
    const refused = async (newPassword: string, message: string) =>
      expect(changeAda(p, OLD, newPassword)).rejects.toMatchObject({ status: 400, id: 'plugin.custom.bad_request', message: expect.stringContaining(message) });
    await refused('short', 'at least 12');
    await refused('ada is my name and my password', 'must not contain the username');
    await refused(OLD, 'must differ from the current password');
    await expect(change(p, { username: 'ada', currentPassword: OLD })).rejects.toMatchObject({ status: 400, message: 'newPassword must be a non-empty string' });
    expect(await p.login('local', { username: 'ada', password: OLD })).toMatchObject({ kind: 'success' });
    await changeAda(p, OLD, NEW);
    // The history: back to the previous password is refused.
    await expect(changeAda(p, NEW, OLD)).rejects.toMatchObject({ status: 400, message: 'password must differ from the last 2 passwords' });
  });

  it('lets an expired password (maxAgeDays) be changed, after which login works', async () => {
    const dataDir = local.dataDir();
    await startWithAda({ policy: { maxAgeDays: 90 } }, { dataDir });
    await local.stop();
    // Set 91 days ago: the store is the plugin's own namespace file.
    const store = PluginStore.open(join(dataDir, 'plugins', 'local.sqlite'));
    store.update('credentials', 'kuid-ada', { passwordSetAt: Date.now() - 91 * 86_400_000 });
    store.close();
    const p = await local.start({ policy: { maxAgeDays: 90 } }, dataDir);
    expect(await p.login('local', { username: 'ada', password: OLD })).toEqual({ kind: 'fail', message: 'password expired: it must be changed', status: 401, reason: 'password expired' });
    expect(await changeAda(p)).toEqual({ acknowledged: true });
    expect(await p.login('local', { username: 'ada', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('lets a password an admin set be changed by its user (mustChangeAfterAdminSet)', async () => {
    const p = await startWithAda({ policy: { mustChangeAfterAdminSet: true } }, { createdBy: 'kuid-admin' });
    expect(await p.login('local', { username: 'ada', password: OLD })).toMatchObject({ kind: 'fail', message: 'password expired: it must be changed' });
    expect(await changeAda(p)).toEqual({ acknowledged: true });
    expect(await p.login('local', { username: 'ada', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('lets only one of two concurrent changes with the same current password win', async () => {
    const p = await startWithAda();
    const outcomes = await Promise.allSettled([changeAda(p, OLD, NEW), changeAda(p, OLD, 'the other racer passphrase')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected');
    expect(lost?.reason).toMatchObject(WRONG);
  });
});
