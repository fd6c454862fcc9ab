import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PluginHarness } from '@portcullis/sdk-plugin/testing';
import { PluginStore } from '../../../kernel/storage/plugin-store.js';
import { hostCalls, localPlugin } from './local-plugin.js';

const GOOD = 'correct horse battery staple';
const local = localPlugin();
const startLocal = local.start;

const create = (p: PluginHarness, username: string, password: string, kuid: string, userId: string | null = 'kuid-admin') =>
  p.call('local', 'create', { credentials: { username, password }, kuid, request: { userId } });

describe('local strategy: credentials', () => {
  it('serves every method with Kuzzle results', async () => {
    const p = await startLocal();
    expect(await create(p, 'Ada', GOOD, 'kuid-ada')).toEqual({ username: 'ada', kuid: 'kuid-ada' });
    expect(await p.call('local', 'exists', { kuid: 'kuid-ada' })).toBe(true);
    expect(await p.call('local', 'getInfo', { kuid: 'kuid-ada' })).toEqual({ username: 'ada', kuid: 'kuid-ada' });
    expect(await p.call('local', 'getById', { id: 'ADA' })).toEqual({ username: 'ada', kuid: 'kuid-ada' });
    expect(await p.call('local', 'search', { query: { usernamePrefix: 'ad' }, from: 0, size: 10 })).toEqual({ hits: [{ username: 'ada', kuid: 'kuid-ada' }], total: 1 });
    expect(await p.call('local', 'update', { credentials: { username: 'lovelace' }, kuid: 'kuid-ada' })).toEqual({ username: 'lovelace', kuid: 'kuid-ada' });
    await p.call('local', 'delete', { kuid: 'kuid-ada' });
    expect(await p.call('local', 'exists', { kuid: 'kuid-ada' })).toBe(false);
  });

  it('treats usernames case-insensitively after NFKC, and refuses a taken one with 412', async () => {
    const p = await startLocal();
    await create(p, 'ada', GOOD, 'kuid-1');
    for (const variant of ['ADA', 'Ada', 'ａｄａ']) {
      await expect(create(p, variant, GOOD, 'kuid-2')).rejects.toMatchObject({ status: 412, message: `Login "${variant}" is already used.` });
    }
    expect(await p.login('local', { username: 'ＡＤＡ', password: GOOD })).toEqual({ kind: 'success', kuid: 'kuid-1' });
  });

  it('keeps usernames case-sensitive when configured', async () => {
    const p = await startLocal({ caseSensitiveUsernames: true });
    await create(p, 'ada', GOOD, 'kuid-1');
    await expect(create(p, 'Ada', GOOD, 'kuid-2')).resolves.toEqual({ username: 'Ada', kuid: 'kuid-2' });
  });

  it('refuses unknown credential fields', async () => {
    const p = await startLocal();
    await expect(p.call('local', 'validate', { credentials: { username: 'a', password: GOOD, pasword: 'typo' }, kuid: 'k', isUpdate: false })).rejects.toMatchObject({
      status: 400,
      message: 'unknown credential field "pasword"',
    });
  });
});

describe('local strategy: password policy', () => {
  const validate = (p: PluginHarness, password: string, username = 'ada') =>
    p.call('local', 'validate', { credentials: { username, password }, kuid: 'kuid-x', isUpdate: false });

  it.each([
    ['too short', 'short pw', {}, 'at least 12 characters'],
    ['too long', 'x'.repeat(129), {}, 'at most 128 characters'],
    ['common', 'password1234', {}, 'too common'],
    ['containing the username', 'my name is ada, hello', { forbidUsername: true }, 'must not contain the username'],
    ['not matching the pattern', 'no digits in here at all', { pattern: '\\d' }, 'does not match the required pattern'],
  ])('refuses a password %s with a 400 naming the rule', async (_rule, password, policy, message) => {
    const p = await startLocal({ policy });
    await expect(validate(p, password)).rejects.toMatchObject({ status: 400, message: expect.stringContaining(message) });
  });

  it('accepts any Unicode, counts code points, and compares in NFKC form', async () => {
    const p = await startLocal();
    await expect(validate(p, '🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐')).resolves.toBeNull();
    await create(p, 'ada', 'ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓ', 'kuid-ada');
    expect(await p.login('local', { username: 'ada', password: 'full width pass' })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('refuses the last N passwords again when history is on', async () => {
    const p = await startLocal({ policy: { historySize: 2 } });
    await create(p, 'ada', GOOD, 'kuid-ada');
    await p.call('local', 'update', { credentials: { password: 'second long password' }, kuid: 'kuid-ada' });
    await expect(p.call('local', 'update', { credentials: { password: GOOD }, kuid: 'kuid-ada' })).rejects.toMatchObject({
      status: 400,
      message: 'password must differ from the last 2 passwords',
    });
  });

  it('needs the current password for updateMyCredentials when requirePassword is on', async () => {
    const p = await startLocal({ requirePassword: true });
    await create(p, 'ada', GOOD, 'kuid-ada', 'kuid-ada');
    const self = { controller: 'auth', action: 'updateMyCredentials', userId: 'kuid-ada' };
    await expect(p.call('local', 'update', { credentials: { password: 'a brand new password' }, kuid: 'kuid-ada', request: self })).rejects.toMatchObject({
      message: 'currentPassword is required to change these credentials',
    });
    await expect(
      p.call('local', 'update', { credentials: { password: 'a brand new password', currentPassword: 'wrong guess here' }, kuid: 'kuid-ada', request: self }),
    ).rejects.toMatchObject({ message: 'currentPassword is wrong' });
    await p.call('local', 'update', { credentials: { password: 'a brand new password', currentPassword: GOOD }, kuid: 'kuid-ada', request: self });
    expect(await p.login('local', { username: 'ada', password: 'a brand new password' })).toMatchObject({ kind: 'success' });
  });
});

describe('local strategy: login', () => {
  it('answers the same failure for a wrong password and an unknown user', async () => {
    const p = await startLocal();
    await create(p, 'ada', GOOD, 'kuid-ada');
    const wrong = await p.login('local', { username: 'ada', password: 'not the right one' });
    const unknown = await p.login('local', { username: 'nobody', password: 'not the right one' });
    // One answer for the client; the reason goes to the kernel's audit log only (test/api/audit-log.test.ts).
    expect(wrong).toEqual({ kind: 'fail', message: 'wrong username or password', status: 401, reason: 'wrong password' });
    expect(unknown).toEqual({ ...wrong, reason: 'unknown user' });
  });

  it('locks an account after maxFailures failures in the window, whether or not it exists (429 with when to retry)', async () => {
    const p = await startLocal({ lockout: { maxFailures: 3, windowMinutes: 15 } });
    await create(p, 'ada', GOOD, 'kuid-ada');
    for (const username of ['ada', 'nobody']) {
      for (let i = 0; i < 3; i++) await p.login('local', { username, password: 'wrong password here' });
      await expect(p.login('local', { username, password: GOOD })).rejects.toMatchObject({
        status: 429,
        message: expect.stringMatching(/^too many failed logins for this account: retry in \d+ s$/),
      });
    }
  });

  it('clears the failure count on success', async () => {
    const p = await startLocal({ lockout: { maxFailures: 3, windowMinutes: 15 } });
    await create(p, 'ada', GOOD, 'kuid-ada');
    for (let i = 0; i < 2; i++) await p.login('local', { username: 'ada', password: 'wrong password here' });
    expect(await p.login('local', { username: 'ada', password: GOOD })).toMatchObject({ kind: 'success' });
    for (let i = 0; i < 2; i++) await p.login('local', { username: 'ada', password: 'wrong password here' });
    expect(await p.login('local', { username: 'ada', password: GOOD })).toMatchObject({ kind: 'success' });
  });

  it('re-hashes with the new cost on the next successful login', async () => {
    const dataDir = local.dataDir();
    const storedCost = () => {
      const store = PluginStore.open(join(dataDir, 'plugins', 'local.sqlite'));
      const hash = store.get('credentials', 'kuid-ada')?._source.hash as string;
      store.close();
      return Number(hash.split('$')[2]);
    };
    const first = await startLocal({ cost: 4 }, dataDir);
    await create(first, 'ada', GOOD, 'kuid-ada');
    await local.stop();
    expect(storedCost()).toBe(4);
    const second = await startLocal({ cost: 5 }, dataDir);
    expect(await second.login('local', { username: 'ada', password: GOOD })).toMatchObject({ kind: 'success' });
    expect(storedCost()).toBe(5);
    expect(await second.login('local', { username: 'ada', password: GOOD })).toMatchObject({ kind: 'success' });
  });

  it('refuses a password an admin set, when it must be changed first', async () => {
    const p = await startLocal({ policy: { mustChangeAfterAdminSet: true } });
    await create(p, 'ada', GOOD, 'kuid-ada', 'kuid-admin');
    await create(p, 'bob', GOOD, 'kuid-bob', 'kuid-bob');
    expect(await p.login('local', { username: 'ada', password: GOOD })).toEqual({ kind: 'fail', message: 'password expired: it must be changed', status: 401, reason: 'password expired' });
    expect(await p.login('local', { username: 'bob', password: GOOD })).toMatchObject({ kind: 'success' });
  });

  it('never truncates at 72 bytes: passwords sharing their first 72 bytes are different', async () => {
    const p = await startLocal();
    const long = `${'é'.repeat(40)}-the-end`; // 88 bytes in UTF-8
    await create(p, 'ada', long, 'kuid-ada');
    expect(await p.login('local', { username: 'ada', password: long })).toMatchObject({ kind: 'success' });
    expect(await p.login('local', { username: 'ada', password: `${'é'.repeat(40)}-other!` })).toMatchObject({ kind: 'fail' });
  });

  it('asks the kernel to revoke the user\'s tokens when the password changes, and not otherwise', async () => {
    const p = await startLocal();
    await create(p, 'ada', GOOD, 'kuid-ada');
    const revocations = () => hostCalls(p, 'users.revokeTokens');
    await p.call('local', 'update', { credentials: { username: 'lovelace' }, kuid: 'kuid-ada' });
    expect(revocations()).toBe(0);
    await p.call('local', 'update', { credentials: { password: 'another long passphrase' }, kuid: 'kuid-ada' });
    await expect.poll(revocations).toBe(1);
    const { resetToken } = (await p.action('password', 'createResetToken', { args: { _id: 'kuid-ada' } })) as { resetToken: string };
    await p.action('password', 'reset', { body: { token: resetToken, password: 'a third long passphrase' } });
    await expect.poll(revocations).toBe(2);
  });

  it('answers missing fields like passport-local', async () => {
    const p = await startLocal();
    expect(await p.login('local', { username: 'ada' })).toEqual({ kind: 'fail', message: 'Missing credentials', status: 400 });
  });
});
