/**
 * The `local` strategy: username and password, Kuzzle's contract (fields
 * `username`/`password`, same methods and results), written only against
 * @portcullis/sdk-plugin. What it does better than Kuzzle's own local plugin:
 * NFKC case-insensitive unique usernames, a password policy with named
 * rules, one answer and one bcrypt compare for every failed login (unknown
 * users are checked against a dummy hash), and per-account lockout. Its API
 * actions (reset tokens, self-service change) are in password-actions.ts.
 */
import { Strategy as PassportLocal } from 'passport-local';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PreconditionError,
  definePlugin,
  type AuthenticatorConstructor,
  type JsonObject,
  type PluginApiDefinition,
  type PluginContext,
  type PluginError,
  type RequestContext,
  type StrategyDefinition,
  type StrategyPlugin,
  type VerifyResult,
} from '@portcullis/sdk-plugin';
import { parseConfig, type LocalConfig } from './config.js';
import { CredentialStore, type CredentialsDocument } from './credential-store.js';
import { failedLogin, isExpired, isSelfService, isSetByAnother, revokeTokens, type StoredCredentials } from './credentials.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordActions } from './password-actions.js';
import { PasswordCheck } from './password-check.js';
import { PasswordResets } from './password-resets.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import { NAMESPACE_COLLECTION, checkUsernameMode, normalizeUsername } from './usernames.js';

const CREDENTIAL_FIELDS = new Set(['username', 'password', 'currentPassword']);
const SELF_DELETION_REFUSED =
  'your local credentials can only be deleted by an administrator (security:deleteCredentials): this server requires the current password for every change, and a deletion cannot carry one';

function assertKnownFields(credentials: JsonObject): void {
  const unknown = Object.keys(credentials).find((field) => !CREDENTIAL_FIELDS.has(field));
  if (unknown !== undefined) throw new BadRequestError(`unknown credential field "${unknown}"`);
}

export default definePlugin(
  class LocalPlugin implements StrategyPlugin {
    authenticators?: Record<string, AuthenticatorConstructor>;
    strategies?: Record<string, StrategyDefinition>;
    api?: PluginApiDefinition;
    #config!: LocalConfig;
    #context!: PluginContext;
    #credentials!: CredentialStore;
    #throttle!: LoginThrottle;
    #resets!: PasswordResets;
    #check!: PasswordCheck;

    async init(config: JsonObject, context: PluginContext): Promise<void> {
      this.#config = parseConfig(config);
      this.#context = context;
      const credentials = await context.storage.collection('credentials', { indexes: [{ field: 'username', unique: true }] });
      await checkUsernameMode(await context.storage.collection(NAMESPACE_COLLECTION), credentials, this.#config.caseSensitiveUsernames);
      this.#credentials = new CredentialStore(credentials, context, this.#config);
      const failures = await context.storage.collection('login-failures', { indexes: [{ field: 'window' }] });
      this.#throttle = new LoginThrottle(failures, this.#config.lockout.maxFailures, this.#config.lockout.windowMinutes * 60_000);
      const resetTokens = await context.storage.collection('reset-tokens', { indexes: [{ field: 'kuid' }] });
      this.#resets = new PasswordResets(resetTokens, this.#config.resetTokenTtlSeconds * 1000);
      this.#check = await PasswordCheck.create(context, this.#config, this.#credentials, this.#throttle);
      this.authenticators = { Local: PassportLocal as unknown as AuthenticatorConstructor };
      this.strategies = {
        local: {
          config: { authenticator: 'Local', fields: ['username', 'password'] },
          methods: {
            create: 'create', delete: 'delete', exists: 'exists', update: 'update', validate: 'validate',
            verify: 'verify', getInfo: 'getInfo', getById: 'getById', search: 'search',
          },
        },
      };
      const parts = { config: this.#config, context, credentials: this.#credentials, check: this.#check, throttle: this.#throttle, resets: this.#resets };
      this.api = new PasswordActions(parts).definition();
    }

    async validate(request: RequestContext, credentials: JsonObject, kuid: string, _strategy: string, isUpdate: boolean): Promise<void> {
      assertKnownFields(credentials);
      const stored = isUpdate ? await this.#forUpdate(credentials, kuid) : null;
      // A user's own update under requirePassword: `update` proves the current
      // password first, then applies every rule below. Proving it here too
      // would cost a second bcrypt compare per change (the kernel always calls
      // validate then update); applying the rules here without it would answer
      // about the new password (its history holds the current one) to a caller
      // who has proven nothing. validate writes nothing, so deferring is safe.
      if (stored !== null && this.#mustProveCurrent(request)) return;
      await this.#checkRules(credentials, kuid, stored);
    }

    async create(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
      // Kuzzle's API validates first; validating again keeps the invariants here.
      await this.validate(request, credentials, kuid, strategy, false);
      if ((await this.#credentials.get(kuid)) !== null) throw new PreconditionError(`A strategy already exists for user "${kuid}".`);
      const username = normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames);
      const record: StoredCredentials = {
        username,
        hash: await this.#context.password.hash(normalizePassword(credentials.password), this.#config.cost),
        passwordSetAt: Date.now(),
        setByAdmin: isSetByAnother(request, kuid),
        history: [],
      };
      await this.#write(String(credentials.username), () => this.#credentials.repository.create({ ...record }, kuid));
      return { username, kuid };
    }

    async update(request: RequestContext, credentials: JsonObject, kuid: string): Promise<JsonObject> {
      assertKnownFields(credentials);
      const proving = this.#mustProveCurrent(request);
      const checked = await this.#forUpdate(credentials, kuid);
      // First, before any rule can answer about the new password.
      if (proving) await this.#check.currentPassword(credentials.currentPassword, checked._source);
      await this.#checkRules(credentials, kuid, checked);
      // Read again: the checks above take a while (bcrypt) and the history must be the latest.
      const stored = await this.#credentials.get(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      const changes: Partial<StoredCredentials> = {};
      if (credentials.username !== undefined) changes.username = normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames);
      if (credentials.password !== undefined) {
        Object.assign(changes, await this.#credentials.passwordChanges(stored._source, normalizePassword(credentials.password), isSetByAnother(request, kuid)));
      }
      // A proven current password holds only over the hash it was checked against: changed meanwhile, it is no longer current.
      const expected: JsonObject = proving ? { hash: checked._source.hash } : {};
      const written = await this.#write(String(credentials.username), () => this.#credentials.repository.updateIf(kuid, expected, { ...changes }));
      if (written === null) throw proving ? new BadRequestError('currentPassword is wrong') : new NotFoundError('this user has no local credentials');
      if (credentials.password !== undefined) {
        // A new password ends what the old one allowed: sessions, pending reset tokens, and a
        // lockout earned by guesses at the old one (an admin's reset unlocks the user at once).
        await this.#resets.voidFor(kuid);
        await this.#throttle.clear(stored._source.username);
        await revokeTokens(this.#context, kuid, request);
      }
      return { username: written._source.username as string, kuid };
    }

    async delete(request: RequestContext, kuid: string): Promise<void> {
      // requirePassword: a stolen token must not swap the password by deleting
      // it and creating another (createMyCredentials is open to users without
      // local credentials). A DELETE carries no body, and a password in the
      // query string would be kept in URLs and logs: the user asks an admin.
      if (this.#config.requirePassword && isSelfService(request)) throw new ForbiddenError(SELF_DELETION_REFUSED);
      const stored = await this.#credentials.get(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      await this.#credentials.repository.delete(kuid);
      await this.#resets.voidFor(kuid);
      await this.#throttle.clear(stored._source.username);
      // What the password allowed ends with it: an admin's deletion locks the user out.
      await revokeTokens(this.#context, kuid, request);
    }

    async exists(_request: RequestContext, kuid: string): Promise<boolean> {
      return (await this.#credentials.get(kuid)) !== null;
    }

    /** What clients may see: never the hash, its history or dates. */
    async getInfo(_request: RequestContext, kuid: string): Promise<JsonObject> {
      const stored = await this.#credentials.get(kuid);
      return stored === null ? {} : { username: stored._source.username, kuid };
    }

    async getById(_request: RequestContext, username: string): Promise<JsonObject> {
      const found = await this.#credentials.byUsername(normalizeUsername(username, this.#config.caseSensitiveUsernames));
      if (found === null) throw new NotFoundError(`no local credentials for username "${username}"`);
      return { username: found._source.username, kuid: found._id };
    }

    /** `{username}` for an exact match, `{usernamePrefix}` for a prefix. */
    async search(_request: RequestContext, query: JsonObject, options: { from: number; size: number }): Promise<{ hits: JsonObject[]; total: number }> {
      const normalize = (value: unknown) => normalizeUsername(value, this.#config.caseSensitiveUsernames);
      let where;
      if (query.username !== undefined) where = { username: normalize(query.username) };
      else if (query.usernamePrefix !== undefined) where = { username: { gte: normalize(query.usernamePrefix), lt: `${normalize(query.usernamePrefix)}\u{10FFFF}` } };
      else throw new BadRequestError('search by "username" (exact) or "usernamePrefix"');
      const { hits, total } = await this.#credentials.repository.search({ where, sort: [{ field: 'username' }], ...options });
      return { hits: hits.map((hit) => ({ username: hit._source.username as string, kuid: hit._id })), total };
    }

    async verify(_request: unknown, username: unknown, password: unknown): Promise<VerifyResult> {
      const proven = await this.#check.login(username, password);
      if ('failure' in proven) return failedLogin(proven.failure);
      await this.#rehashIfCostChanged(proven.stored, proven.password);
      // Proven but expired: the user changes it with the `local/password:change` action.
      if (isExpired(proven.stored._source, this.#config.policy)) return { kuid: null, message: 'password expired: it must be changed', reason: 'password expired' };
      return { kuid: proven.stored._id };
    }

    /** The stored credentials an update applies to; 404 without, 400 for an empty update. */
    async #forUpdate(credentials: JsonObject, kuid: string): Promise<CredentialsDocument> {
      const stored = await this.#credentials.get(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      if (credentials.username === undefined && credentials.password === undefined) {
        throw new BadRequestError('nothing to update: give a username, a password, or both');
      }
      return stored;
    }

    /** requirePassword applies to users changing their own credentials, not to admins. */
    #mustProveCurrent(request: RequestContext): boolean {
      return this.#config.requirePassword && isSelfService(request);
    }

    /** Username and password rules; `stored` is null for a creation. */
    async #checkRules(credentials: JsonObject, kuid: string, stored: CredentialsDocument | null): Promise<void> {
      const isUpdate = stored !== null;
      const renaming = credentials.username !== undefined || !isUpdate;
      const username = renaming ? normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames) : stored._source.username;
      if (renaming) await this.#assertUsernameFree(username, String(credentials.username), kuid);
      if (credentials.password !== undefined || !isUpdate) {
        const password = normalizePassword(credentials.password);
        checkPasswordPolicy(password, username, this.#config.policy);
        if (isUpdate) await this.#credentials.assertNotReused(password, stored._source);
      }
    }

    async #assertUsernameFree(username: string, asGiven: string, kuid: string): Promise<void> {
      const holder = await this.#credentials.byUsername(username);
      if (holder !== null && holder._id !== kuid) throw new PreconditionError(`Login "${asGiven}" is already used.`);
    }

    /** A concurrent create can still take the username between check and write: same answer. */
    async #write<T>(asGiven: string, write: () => Promise<T>): Promise<T> {
      try {
        return await write();
      } catch (error) {
        if ((error as PluginError).id === 'services.storage.unique_violation') throw new PreconditionError(`Login "${asGiven}" is already used.`);
        throw error;
      }
    }

    async #rehashIfCostChanged(stored: CredentialsDocument, password: string): Promise<void> {
      // The cost is in the hash itself ($2b$NN$...): no host call on every login to read it.
      if (Number(stored._source.hash.split('$')[2]) === this.#config.cost) return;
      const rehashed = await this.#context.password.hash(password, this.#config.cost);
      // Only over the hash just compared: a password changed meanwhile must not be undone.
      await this.#credentials.repository.updateIf(stored._id, { hash: stored._source.hash }, { hash: rehashed });
    }
  },
);
