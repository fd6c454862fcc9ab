import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PluginHarness } from '@portcullis/sdk-plugin/testing';
import { ADA_PASSWORD, localPlugin } from './local-plugin.js';

const OLD = ADA_PASSWORD;
const NEW = 'a completely different passphrase';

const local = localPlugin();
const startWithAda = local.startWithAda;

const issue = async (p: PluginHarness) =>
  (await p.action('password', 'createResetToken', { args: { _id: 'kuid-ada' }, request: { userId: 'kuid-admin' } })) as { resetToken: string; expiresAt: number };
const reset = (p: PluginHarness, token: string, password = NEW) => p.action('password', 'reset', { body: { token, password } });

describe('local strategy: password reset tokens', () => {
  it('issues a 256-bit single-use token that sets the password', async () => {
    const p = await startWithAda();
    const { resetToken, expiresAt } = await issue(p);
    expect(Buffer.from(resetToken, 'base64url')).toHaveLength(32);
    expect(expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(await reset(p, resetToken)).toEqual({ acknowledged: true });
    expect(await p.login('local', { username: 'ada', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
    expect(await p.login('local', { username: 'ada', password: OLD })).toMatchObject({ kind: 'fail' });
    // Spent: a second use is refused.
    await expect(reset(p, resetToken, 'yet another passphrase')).rejects.toMatchObject({ status: 401, message: 'reset token is invalid, used or expired' });
  });

  it('keeps the token usable when the new password breaks the policy', async () => {
    const p = await startWithAda();
    const { resetToken } = await issue(p);
    await expect(reset(p, resetToken, 'short')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('at least 12') });
    expect(await reset(p, resetToken)).toEqual({ acknowledged: true });
  });

  it('refuses an expired token', async () => {
    const p = await startWithAda({ resetTokenTtlSeconds: 1 });
    const { resetToken } = await issue(p);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(reset(p, resetToken)).rejects.toMatchObject({ status: 401 });
  });

  it('lets only the newest token work, and only one of two concurrent resets win', async () => {
    const p = await startWithAda();
    const first = await issue(p);
    const second = await issue(p);
    await expect(reset(p, first.resetToken)).rejects.toMatchObject({ status: 401 });
    const outcomes = await Promise.allSettled([reset(p, second.resetToken), reset(p, second.resetToken, 'the other racer passphrase')]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses a token for a user without local credentials, and unknown tokens', async () => {
    const p = await startWithAda();
    await expect(p.action('password', 'createResetToken', { args: { _id: 'kuid-nobody' } })).rejects.toMatchObject({ status: 404 });
    await expect(reset(p, 'not-a-token')).rejects.toMatchObject({ status: 401 });
  });

  it('stores only a digest of the token', async () => {
    const p = await startWithAda();
    const { resetToken } = await issue(p);
    // WAL mode: recent rows may live in the -wal file only, so read both.
    const file = join(p.dataDir, 'plugins', 'local.sqlite');
    const namespace = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    const digest = createHash('sha256').update(resetToken).digest('hex');
    expect(namespace.includes(Buffer.from(digest))).toBe(true);
    expect(namespace.includes(Buffer.from(resetToken))).toBe(false);
  });

  it('answers an unknown action with 404 api.process.action_not_found', async () => {
    const p = await startWithAda();
    await expect(p.action('password', 'nope')).rejects.toMatchObject({ id: 'api.process.action_not_found', status: 404 });
  });
});
