import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PluginHarness } from '@portcullis/sdk-plugin/testing';
import { hostCalls, localPlugin } from './local-plugin.js';

/** Review findings on the local strategy, each a regression test. */
const GOOD = 'correct horse battery staple';
const NEW = 'a completely different passphrase';
const local = localPlugin();
const start = local.start;
const create = (p: PluginHarness, username: string, kuid: string, userId: string | null = 'kuid-admin') =>
  p.call('local', 'create', { credentials: { username, password: GOOD }, kuid, request: { userId } });
const verifies = (p: PluginHarness) => hostCalls(p, 'password.verify');

describe('lockout under concurrency', () => {
  it('lets at most maxFailures concurrent attempts reach bcrypt; the rest get 429 without hashing', async () => {
    const p = await start({ lockout: { maxFailures: 3, windowMinutes: 15 } });
    await create(p, 'ada', 'kuid-ada');
    const before = verifies(p);
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => p.login('local', { username: 'ada', password: 'wrong but long enough' })));
    expect(outcomes.filter((o) => o.status === 'rejected' && (o.reason as { status: number }).status === 429)).toHaveLength(27);
    expect(verifies(p) - before).toBe(3);
  });

  it('keeps attempted usernames only as digests', async () => {
    const p = await start();
    await p.login('local', { username: 'someone-who-tried', password: 'wrong but long enough' });
    const file = join(p.dataDir, 'plugins', 'local.sqlite');
    const namespace = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    expect(namespace.includes(Buffer.from('someone-who-tried'))).toBe(false);
    expect(namespace.includes(Buffer.from(createHash('sha256').update('someone-who-tried').digest('hex')))).toBe(true);
  });
});

describe('one compare and one answer for every failed login', () => {
  // The reason goes to the kernel's audit log only (test/api/audit-log.test.ts): the client gets message and status.
  it.each([
    ['a username with a NUL', { username: 'ada\u0000', password: GOOD }, 'malformed username'],
    ['a username with a C1 control', { username: 'ada\u0085', password: GOOD }, 'malformed username'],
    ['a username over 128 characters', { username: 'a'.repeat(200), password: GOOD }, 'malformed username'],
    ['a password over 4096 characters', { username: 'ada', password: 'x'.repeat(5000) }, 'malformed password'],
  ])('%s', async (_case, body, reason) => {
    const p = await start();
    await create(p, 'ada', 'kuid-ada');
    const before = verifies(p);
    expect(await p.login('local', body)).toEqual({ kind: 'fail', message: 'wrong username or password', status: 401, reason });
    await expect.poll(() => verifies(p)).toBe(before + 1);
  });

  it('refuses invisible characters in new usernames (look-alike accounts)', async () => {
    const p = await start();
    for (const username of ['ada\u200b', '\u202eada', 'a\u00adda']) {
      await expect(create(p, username, 'kuid-x')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('format') });
    }
  });
});

describe('passwords and tokens after a change', () => {
  it('never lets a re-hash after a cost change undo a password change', async () => {
    const dataDir = local.dataDir();
    const first = await start({ cost: 4 }, dataDir);
    const kuids = Array.from({ length: 10 }, (_, i) => `kuid-${i}`);
    for (const kuid of kuids) await create(first, kuid.replace('kuid', 'user'), kuid);
    const p = await start({ cost: 5 }, dataDir);
    await Promise.all(
      kuids.flatMap((kuid) => [
        p.login('local', { username: kuid.replace('kuid', 'user'), password: GOOD }),
        p.call('local', 'update', { credentials: { password: NEW }, kuid }),
      ]),
    );
    for (const kuid of kuids) {
      expect(await p.login('local', { username: kuid.replace('kuid', 'user'), password: GOOD })).toMatchObject({ kind: 'fail' });
    }
  });

  it('voids pending reset tokens when the password changes or the credentials are deleted', async () => {
    const p = await start();
    await create(p, 'ada', 'kuid-ada');
    const token = async () => ((await p.action('password', 'createResetToken', { args: { _id: 'kuid-ada' } })) as { resetToken: string }).resetToken;
    const beforeChange = await token();
    await p.call('local', 'update', { credentials: { password: NEW }, kuid: 'kuid-ada' });
    await expect(p.action('password', 'reset', { body: { token: beforeChange, password: 'attacker chosen passphrase' } })).rejects.toMatchObject({ status: 401 });
    const beforeDelete = await token();
    await p.call('local', 'delete', { kuid: 'kuid-ada' });
    await create(p, 'newcomer', 'kuid-ada');
    await expect(p.action('password', 'reset', { body: { token: beforeDelete, password: 'attacker chosen passphrase' } })).rejects.toMatchObject({ status: 401 });
  });
});

describe('requirePassword', () => {
  const self = { controller: 'auth', action: 'updateMyCredentials', userId: 'kuid-ada' };

  it('is checked before any other rule, so no answer hints at the current password', async () => {
    const p = await start({ requirePassword: true, policy: { historySize: 1 } });
    await create(p, 'ada', 'kuid-ada', 'kuid-ada');
    // The current password sent as the new one, without currentPassword: not a history hint.
    await expect(p.call('local', 'update', { credentials: { password: GOOD }, kuid: 'kuid-ada', request: self })).rejects.toMatchObject({
      message: 'currentPassword is required to change these credentials',
    });
  });

  it('throttles wrong current passwords like logins', async () => {
    const p = await start({ requirePassword: true, lockout: { maxFailures: 2, windowMinutes: 15 } });
    await create(p, 'ada', 'kuid-ada', 'kuid-ada');
    const attempt = () => p.call('local', 'update', { credentials: { password: NEW, currentPassword: 'a wrong guess here' }, kuid: 'kuid-ada', request: self });
    await expect(attempt()).rejects.toMatchObject({ message: 'currentPassword is wrong' });
    await expect(attempt()).rejects.toMatchObject({ message: 'currentPassword is wrong' });
    await expect(attempt()).rejects.toMatchObject({ status: 429 });
  });
});

describe('credential edge cases', () => {
  it('does not treat an anonymous creator as an admin (mustChangeAfterAdminSet)', async () => {
    const p = await start({ policy: { mustChangeAfterAdminSet: true } });
    await create(p, 'ada', 'kuid-ada', null);
    expect(await p.login('local', { username: 'ada', password: GOOD })).toMatchObject({ kind: 'success' });
  });

  it('answers 412 for a second local credential of one user, 404 for updating none, 400 for an empty update', async () => {
    const p = await start();
    await create(p, 'ada', 'kuid-ada');
    await expect(create(p, 'other', 'kuid-ada')).rejects.toMatchObject({ status: 412, message: 'A strategy already exists for user "kuid-ada".' });
    await expect(p.call('local', 'update', { credentials: { password: NEW }, kuid: 'kuid-nobody' })).rejects.toMatchObject({ status: 404 });
    await expect(p.call('local', 'update', { credentials: {}, kuid: 'kuid-ada' })).rejects.toMatchObject({ status: 400 });
  });

  it('answers 404 for an action name that is only a prototype key', async () => {
    const p = await start();
    await expect(p.action('constructor', 'name')).rejects.toMatchObject({ id: 'api.process.action_not_found' });
    await expect(p.action('password', 'toString')).rejects.toMatchObject({ id: 'api.process.action_not_found' });
  });
});
