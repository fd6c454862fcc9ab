/**
 * What the local strategy keeps per user, and the small rules about it.
 */
import type { PluginContext, RequestContext, VerifyResult } from '@portcullis/sdk-plugin';
import type { PasswordPolicy } from './config.js';

/** What the namespace keeps per user (document id: the kuid). Never returned. */
export interface StoredCredentials {
  username: string;
  hash: string;
  passwordSetAt: number;
  /** Set by someone other than the user (an admin), for `mustChangeAfterAdminSet`. */
  setByAdmin: boolean;
  /** Previous hashes, newest first, for `historySize`. */
  history: string[];
}

/** Set by someone other than the user: an authenticated caller that is not the user (an admin). */
export function isSetByAnother(request: RequestContext, kuid: string): boolean {
  return request.userId !== null && request.userId !== kuid;
}

/**
 * A request of the auth controller: users acting on their own credentials
 * (the kernel passes the caller's own kuid there), as opposed to an admin
 * through the security controller, or the kernel creating or deleting a
 * user. `requirePassword` applies to these only.
 */
export function isSelfService(request: RequestContext): boolean {
  return request.controller === 'auth';
}

/** One answer for every failed login or password change, so it tells nothing about the account. */
export const WRONG_CREDENTIALS = 'wrong username or password';
/** A failed login: one message for the client, the reason for the kernel's audit log only. */
export function failedLogin(reason: string): VerifyResult {
  return { kuid: null, message: WRONG_CREDENTIALS, reason };
}

/** Past `maxAgeDays`, or set by another while the policy asks its user to change it. */
export function isExpired(stored: StoredCredentials, policy: PasswordPolicy): boolean {
  const { maxAgeDays, mustChangeAfterAdminSet } = policy;
  if (mustChangeAfterAdminSet && stored.setByAdmin) return true;
  return maxAgeDays > 0 && Date.now() - stored.passwordSetAt > maxAgeDays * 86_400_000;
}

/**
 * A password change or deletion ends the user's sessions at once: all of
 * them after a reset or an admin's change or deletion, all but the caller's
 * own when users change or delete their own password (they stay logged in
 * where they made the change). A username change ends none.
 */
export async function revokeTokens(context: PluginContext, kuid: string, request: RequestContext | null): Promise<void> {
  const own = request !== null && request.userId === kuid;
  await context.users.revokeTokens(kuid, own ? request.tokenId : null);
}
