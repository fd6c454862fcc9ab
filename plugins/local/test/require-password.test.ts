import { describe, expect, it } from 'vitest';
import type { PluginHarness } from '@portcullis/sdk-plugin/testing';
import type { JsonObject } from '@portcullis/sdk-plugin';
import { ADA_PASSWORD, hostCalls, localPlugin } from './local-plugin.js';

/**
 * `requirePassword`: users changing their own credentials (auth controller)
 * must prove the current password, once per change, and cannot delete them;
 * admins (security controller) are not asked. And which changes end sessions.
 */
const OLD = ADA_PASSWORD;
const NEW = 'a completely different passphrase';

const local = localPlugin();
const startWithAda = local.startWithAda;

const SELF_UPDATE = { controller: 'auth', action: 'updateMyCredentials', userId: 'kuid-ada', tokenId: 'jti-ada' };
const SELF_DELETE = { controller: 'auth', action: 'deleteMyCredentials', userId: 'kuid-ada', tokenId: 'jti-ada' };
const ADMIN = { controller: 'security', action: 'deleteCredentials', userId: 'kuid-admin', tokenId: 'jti-admin' };

/** What auth:updateMyCredentials runs: the kernel's validate (isUpdate), then update, with one request. */
async function updateMyCredentials(p: PluginHarness, credentials: JsonObject): Promise<unknown> {
  await p.call('local', 'validate', { credentials, kuid: 'kuid-ada', isUpdate: true, request: SELF_UPDATE });
  return p.call('local', 'update', { credentials, kuid: 'kuid-ada', request: SELF_UPDATE });
}

describe('requirePassword: deleting credentials', () => {
  it('refuses the user deleting its own credentials (403), which keeps the password: a stolen token cannot swap it', async () => {
    const p = await startWithAda({ requirePassword: true });
    await expect(p.call('local', 'delete', { kuid: 'kuid-ada', request: SELF_DELETE })).rejects.toMatchObject({
      status: 403,
      id: 'plugin.custom.forbidden',
      message: expect.stringContaining('by an administrator (security:deleteCredentials)'),
    });
    expect(await p.call('local', 'exists', { kuid: 'kuid-ada' })).toBe(true);
    // So createMyCredentials cannot set a new password: the user still has one.
    await expect(p.call('local', 'create', { credentials: { username: 'ada', password: NEW }, kuid: 'kuid-ada', request: SELF_UPDATE })).rejects.toMatchObject({ status: 412 });
    expect(await p.login('local', { username: 'ada', password: OLD })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('lets an admin delete them, which ends every session of the user', async () => {
    const p = await startWithAda({ requirePassword: true });
    const revocations = hostCalls(p, 'users.revokeTokens');
    await p.call('local', 'delete', { kuid: 'kuid-ada', request: ADMIN });
    expect(await p.call('local', 'exists', { kuid: 'kuid-ada' })).toBe(false);
    await expect.poll(() => hostCalls(p, 'users.revokeTokens')).toBe(revocations + 1);
    expect(await p.login('local', { username: 'ada', password: OLD })).toMatchObject({ kind: 'fail' });
  });

  it('lets users delete their own credentials without requirePassword, ending their sessions too', async () => {
    const p = await startWithAda();
    const revocations = hostCalls(p, 'users.revokeTokens');
    await p.call('local', 'delete', { kuid: 'kuid-ada', request: SELF_DELETE });
    expect(await p.call('local', 'exists', { kuid: 'kuid-ada' })).toBe(false);
    await expect.poll(() => hostCalls(p, 'users.revokeTokens')).toBe(revocations + 1);
  });

  it('lets a user without local credentials add some (proven by another strategy): there is no password to prove', async () => {
    const p = await local.start({ requirePassword: true });
    const self = { controller: 'auth', action: 'createMyCredentials', userId: 'kuid-sso' };
    await p.call('local', 'validate', { credentials: { username: 'sso', password: OLD }, kuid: 'kuid-sso', isUpdate: false, request: self });
    expect(await p.call('local', 'create', { credentials: { username: 'sso', password: OLD }, kuid: 'kuid-sso', request: self })).toEqual({ username: 'sso', kuid: 'kuid-sso' });
    expect(await p.login('local', { username: 'sso', password: OLD })).toEqual({ kind: 'success', kuid: 'kuid-sso' });
  });
});

describe('requirePassword: one check of the current password per update', () => {
  it('runs one bcrypt compare for the current password, not one in validate and another in update', async () => {
    const p = await startWithAda({ requirePassword: true });
    const [verifies, hashes] = [hostCalls(p, 'password.verify'), hostCalls(p, 'password.hash')];
    await updateMyCredentials(p, { password: NEW, currentPassword: OLD });
    await expect.poll(() => hostCalls(p, 'password.hash')).toBe(hashes + 1);
    expect(hostCalls(p, 'password.verify')).toBe(verifies + 1);
    expect(await p.login('local', { username: 'ada', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('with a history, adds one compare per remembered password, once', async () => {
    const p = await startWithAda({ requirePassword: true, policy: { historySize: 2 } });
    const [verifies, hashes] = [hostCalls(p, 'password.verify'), hostCalls(p, 'password.hash')];
    // The current password, then the history: only the current hash so far.
    await updateMyCredentials(p, { password: NEW, currentPassword: OLD });
    // The new hash is the last host call of the checks: every compare is logged by then.
    await expect.poll(() => hostCalls(p, 'password.hash')).toBe(hashes + 1);
    expect(hostCalls(p, 'password.verify')).toBe(verifies + 2);
  });

  it('answers nothing about the new password from validate before update has proven the current one', async () => {
    const p = await startWithAda({ requirePassword: true, policy: { historySize: 1 } });
    const verifies = hostCalls(p, 'password.verify');
    // The current password offered as the new one: a history refusal here would confirm it.
    await p.call('local', 'validate', { credentials: { password: OLD }, kuid: 'kuid-ada', isUpdate: true, request: SELF_UPDATE });
    expect(hostCalls(p, 'password.verify')).toBe(verifies);
    await expect(p.call('local', 'update', { credentials: { password: OLD }, kuid: 'kuid-ada', request: SELF_UPDATE })).rejects.toMatchObject({
      status: 400,
      message: 'currentPassword is required to change these credentials',
    });
    // Once proven, the rules apply in update.
    await expect(p.call('local', 'update', { credentials: { password: 'short', currentPassword: OLD }, kuid: 'kuid-ada', request: SELF_UPDATE })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('at least 12'),
    });
  });

  it('still applies every rule in validate for admins, who are not asked for the current password', async () => {
    const p = await startWithAda({ requirePassword: true });
    await expect(p.call('local', 'validate', { credentials: { password: 'short' }, kuid: 'kuid-ada', isUpdate: true, request: ADMIN })).rejects.toMatchObject({
      message: expect.stringContaining('at least 12'),
    });
    expect(await p.call('local', 'update', { credentials: { password: NEW }, kuid: 'kuid-ada', request: ADMIN })).toEqual({ username: 'ada', kuid: 'kuid-ada' });
  });

  it('lets only one of two concurrent updates proven with the same current password win', async () => {
    const p = await startWithAda({ requirePassword: true });
    const outcomes = await Promise.allSettled([
      updateMyCredentials(p, { password: NEW, currentPassword: OLD }),
      updateMyCredentials(p, { password: 'the other racer passphrase', currentPassword: OLD }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')?.reason).toMatchObject({ status: 400, message: 'currentPassword is wrong' });
  });
});

describe('which updates end sessions', () => {
  it('ends the sessions on a password change, not on a username-only change', async () => {
    const p = await startWithAda({ requirePassword: true });
    const revocations = hostCalls(p, 'users.revokeTokens');
    expect(await updateMyCredentials(p, { username: 'lovelace', currentPassword: OLD })).toEqual({ username: 'lovelace', kuid: 'kuid-ada' });
    await updateMyCredentials(p, { password: NEW, currentPassword: OLD });
    // Only the password change asked for a revocation (host calls are logged in order).
    await expect.poll(() => hostCalls(p, 'users.revokeTokens')).toBe(revocations + 1);
    expect(await p.login('local', { username: 'lovelace', password: NEW })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });
});
