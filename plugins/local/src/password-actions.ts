/**
 * The local strategy's API actions, served by the kernel as controller
 * `local/password` under `/_/local/password/...`, rights checked like any
 * action:
 * - `createResetToken`: for admins; a single-use token an admin hands to a
 *   user who lost their password.
 * - `reset`: for anyone holding a token (plugins.json `publicActions`).
 * - `change`: for anyone who knows the current password
 *   (`publicActions`); the way out of an expired password
 *   (`policy.maxAgeDays`, `policy.mustChangeAfterAdminSet`), which can no
 *   longer log in and so cannot reach `auth:updateMyCredentials`.
 * Every new password passes the policy and history, then ends what the old
 * one allowed: pending reset tokens, the lockout count, every session.
 */
import {
  BadRequestError,
  NotFoundError,
  UnauthorizedError,
  type ActionRequest,
  type JsonObject,
  type PluginApiDefinition,
  type PluginContext,
} from '@portcullis/sdk-plugin';
import type { LocalConfig } from './config.js';
import type { CredentialStore, CredentialsDocument } from './credential-store.js';
import { WRONG_CREDENTIALS, revokeTokens } from './credentials.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordCheck } from './password-check.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import type { PasswordResets } from './password-resets.js';

export interface PasswordActionParts {
  config: LocalConfig;
  context: PluginContext;
  credentials: CredentialStore;
  check: PasswordCheck;
  throttle: LoginThrottle;
  resets: PasswordResets;
}

export class PasswordActions {
  constructor(private readonly parts: PasswordActionParts) {}

  /** The plugin's `api` (Kuzzle's format), routes relative to `/_/local/`; the kernel's audit log records each call as `audit` says. */
  definition(): PluginApiDefinition {
    return {
      password: {
        actions: {
          createResetToken: { handler: (request) => this.createResetToken(request), http: [{ verb: 'post', path: 'password/reset-token/:_id' }], audit: 'adminChange' },
          reset: { handler: (request) => this.reset(request), http: [{ verb: 'post', path: 'password/reset' }], audit: 'credentialChange' },
          change: { handler: (request) => this.change(request), http: [{ verb: 'post', path: 'password/change' }], audit: 'credentialChange' },
        },
      },
    };
  }

  /** Issues a single-use reset token for user `_id` (an admin hands it to the user). */
  async createResetToken(request: ActionRequest): Promise<JsonObject> {
    const kuid = request.args._id;
    if (typeof kuid !== 'string' || kuid.length === 0) throw new BadRequestError('the user id (_id) is required');
    if ((await this.parts.credentials.get(kuid)) === null) throw new NotFoundError('this user has no local credentials');
    return this.parts.resets.issue(kuid);
  }

  /** Sets a new password with a reset token (body `{token, password}`): policy applies, the token is spent, sessions end. */
  async reset(request: ActionRequest): Promise<JsonObject> {
    const { credentials, resets } = this.parts;
    const body = request.body ?? {};
    const kuid = await resets.peek(body.token);
    const stored = await credentials.get(kuid);
    if (stored === null) throw new NotFoundError('this user has no local credentials');
    const password = normalizePassword(body.password);
    await this.#assertAcceptable(password, stored);
    // The token is the arbiter: of two concurrent resets, the one spending it first wins.
    await resets.spend(body.token as string);
    await credentials.repository.update(kuid, { ...(await credentials.passwordChanges(stored._source, password, false)) });
    await this.#endOldPassword(stored);
    return { acknowledged: true };
  }

  /**
   * Changes a password with the current one (body `{username, currentPassword,
   * newPassword}`), no token needed. The current password is checked exactly
   * as a login checks it (lockout, one compare, a dummy one for unknown
   * users), and every failure is one 401 "wrong username or password".
   * Nothing about the new password is answered before the current one is proven.
   */
  async change(request: ActionRequest): Promise<JsonObject> {
    const { credentials, check } = this.parts;
    const body = request.body ?? {};
    const proven = await check.login(body.username, body.currentPassword);
    if ('failure' in proven) throw new UnauthorizedError(WRONG_CREDENTIALS);
    const { stored } = proven;
    if (typeof body.newPassword !== 'string' || body.newPassword.length === 0) throw new BadRequestError('newPassword must be a non-empty string');
    const password = normalizePassword(body.newPassword);
    // Even without a history: an expired password must not come back as its own replacement.
    if (password === proven.password) throw new BadRequestError('newPassword must differ from the current password');
    await this.#assertAcceptable(password, stored);
    const changes = await credentials.passwordChanges(stored._source, password, false);
    // Only over the hash just checked: if the password changed meanwhile, the current password given is no longer current.
    if ((await credentials.repository.updateIf(stored._id, { hash: stored._source.hash }, { ...changes })) === null) {
      throw new UnauthorizedError(WRONG_CREDENTIALS);
    }
    await this.#endOldPassword(stored);
    return { acknowledged: true };
  }

  async #assertAcceptable(password: string, stored: CredentialsDocument): Promise<void> {
    checkPasswordPolicy(password, stored._source.username, this.parts.config.policy);
    await this.parts.credentials.assertNotReused(password, stored._source);
  }

  /** A new password ends what the old one allowed: the lockout count, pending reset tokens, every session. */
  async #endOldPassword(stored: CredentialsDocument): Promise<void> {
    await this.parts.throttle.clear(stored._source.username);
    await this.parts.resets.voidFor(stored._id);
    await revokeTokens(this.parts.context, stored._id, null);
  }
}
