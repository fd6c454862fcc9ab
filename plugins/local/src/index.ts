/**
 * The `local` strategy: username and password, Kuzzle's contract (fields
 * `username`/`password`, same methods and results), written only against
 * @portcullis/sdk-plugin. What it does better than Kuzzle's own local plugin:
 * NFKC case-insensitive unique usernames, a password policy with named
 * rules, one answer and one bcrypt compare for every failed login (unknown
 * users are checked against a dummy hash), and per-account lockout.
 */
import { randomBytes } from 'node:crypto';
import { Strategy as PassportLocal } from 'passport-local';
import {
  BadRequestError,
  NotFoundError,
  PreconditionError,
  TooManyRequestsError,
  definePlugin,
  type AuthenticatorConstructor,
  type ActionRequest,
  type JsonObject,
  type PluginApiDefinition,
  type PluginContext,
  type PluginError,
  type Repository,
  type RequestContext,
  type StoredDocument,
  type StrategyDefinition,
  type StrategyPlugin,
  type VerifyResult,
} from '@portcullis/sdk-plugin';
import { parseConfig, type LocalConfig } from './config.js';
import { FAILED, isExpired, isSetByAnother, revokeTokens, type StoredCredentials } from './credentials.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordResets } from './password-resets.js';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';
import { normalizeUsername } from './usernames.js';



/** The host refuses longer input; a longer "password" is a failed login, hashed like any. */
const MAX_PASSWORD = 4096;
const CREDENTIAL_FIELDS = new Set(['username', 'password', 'currentPassword']);

export default definePlugin(
  class LocalPlugin implements StrategyPlugin {
    authenticators?: Record<string, AuthenticatorConstructor>;
    strategies?: Record<string, StrategyDefinition>;
    #config!: LocalConfig;
    #context!: PluginContext;
    #credentials!: Repository;
    #throttle!: LoginThrottle;
    #resets!: PasswordResets;
    #dummyHash!: string;
    api?: PluginApiDefinition;

    async init(config: JsonObject, context: PluginContext): Promise<void> {
      this.#config = parseConfig(config);
      this.#context = context;
      this.#credentials = await context.storage.collection('credentials', { indexes: [{ field: 'username', unique: true }] });
      const failures = await context.storage.collection('login-failures');
      this.#throttle = new LoginThrottle(failures, this.#config.lockout.maxFailures, this.#config.lockout.windowMinutes * 60_000);
      const resetTokens = await context.storage.collection('reset-tokens', { indexes: [{ field: 'kuid' }] });
      this.#resets = new PasswordResets(resetTokens, this.#config.resetTokenTtlSeconds * 1000);
      // Unknown usernames are checked against this, so they cost one bcrypt
      // compare like a known one. Hashing it here also makes a cost the
      // kernel refuses stop the plugin at boot, not at the first login.
      this.#dummyHash = await context.password.hash(randomBytes(24).toString('base64'), this.#config.cost);
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
      // Served by the kernel as `local/password:<action>` under /_/local/, rights checked like any action:
      // createResetToken is for admins; reset is for anyone holding a token.
      this.api = {
        password: {
          actions: {
            createResetToken: { handler: 'createResetToken', http: [{ verb: 'post', path: 'password/reset-token/:_id' }] },
            reset: { handler: 'resetPassword', http: [{ verb: 'post', path: 'password/reset' }] },
          },
        },
      };
    }

    /** Issues a single-use reset token for user `_id` (an admin hands it to the user). */
    async createResetToken(request: ActionRequest): Promise<JsonObject> {
      const kuid = request.args._id;
      if (typeof kuid !== 'string' || kuid.length === 0) throw new BadRequestError('the user id (_id) is required');
      if ((await this.#stored(kuid)) === null) throw new NotFoundError('this user has no local credentials');
      return this.#resets.issue(kuid);
    }

    /** Sets a new password with a reset token (body `{token, password}`): policy applies, the token is spent, sessions end. */
    async resetPassword(request: ActionRequest): Promise<JsonObject> {
      const body = request.body ?? {};
      const kuid = await this.#resets.peek(body.token);
      const stored = await this.#stored(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      const password = normalizePassword(body.password);
      checkPasswordPolicy(password, stored._source.username, this.#config.policy);
      await this.#assertNotReused(password, stored._source);
      await this.#resets.spend(body.token as string);
      await this.#credentials.update(kuid, {
        hash: await this.#context.password.hash(password, this.#config.cost),
        passwordSetAt: Date.now(),
        setByAdmin: false,
        history: [stored._source.hash, ...stored._source.history].slice(0, this.#config.policy.historySize),
      });
      await this.#throttle.clear(stored._source.username);
      await this.#resets.voidFor(kuid);
      await revokeTokens(this.#context, kuid, null);
      return { acknowledged: true };
    }

    async validate(request: RequestContext, credentials: JsonObject, kuid: string, _strategy: string, isUpdate: boolean): Promise<void> {
      const unknown = Object.keys(credentials).find((field) => !CREDENTIAL_FIELDS.has(field));
      if (unknown !== undefined) throw new BadRequestError(`unknown credential field "${unknown}"`);
      const stored = isUpdate ? await this.#stored(kuid) : null;
      if (isUpdate && stored === null) throw new NotFoundError('this user has no local credentials');
      if (isUpdate && credentials.username === undefined && credentials.password === undefined) {
        throw new BadRequestError('nothing to update: give a username, a password, or both');
      }
      // First, before any other answer can hint at the current password.
      if (stored !== null && this.#config.requirePassword && request.controller === 'auth' && request.action === 'updateMyCredentials') {
        await this.#assertCurrentPassword(credentials.currentPassword, stored._source);
      }
      const renaming = credentials.username !== undefined || !isUpdate;
      const username = renaming ? normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames) : (stored?._source.username ?? '');
      if (renaming) await this.#assertUsernameFree(username, String(credentials.username), kuid);
      if (credentials.password !== undefined || !isUpdate) {
        const password = normalizePassword(credentials.password);
        checkPasswordPolicy(password, username, this.#config.policy);
        if (stored !== null) await this.#assertNotReused(password, stored._source);
      }
    }

    async create(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
      // Kuzzle's API validates first; validating again keeps the invariants here.
      await this.validate(request, credentials, kuid, strategy, false);
      if ((await this.#stored(kuid)) !== null) throw new PreconditionError(`A strategy already exists for user "${kuid}".`);
      const username = normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames);
      const record: StoredCredentials = {
        username,
        hash: await this.#context.password.hash(normalizePassword(credentials.password), this.#config.cost),
        passwordSetAt: Date.now(),
        setByAdmin: isSetByAnother(request, kuid),
        history: [],
      };
      await this.#write(String(credentials.username), () => this.#credentials.create({ ...record }, kuid));
      return { username, kuid };
    }

    async update(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
      await this.validate(request, credentials, kuid, strategy, true);
      const stored = await this.#stored(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      const changes: Partial<StoredCredentials> = {};
      if (credentials.username !== undefined) changes.username = normalizeUsername(credentials.username, this.#config.caseSensitiveUsernames);
      if (credentials.password !== undefined) {
        changes.hash = await this.#context.password.hash(normalizePassword(credentials.password), this.#config.cost);
        changes.passwordSetAt = Date.now();
        changes.setByAdmin = request.userId !== kuid;
        changes.history = [stored._source.hash, ...stored._source.history].slice(0, this.#config.policy.historySize);
      }
      const { _source } = await this.#write(String(credentials.username), () => this.#credentials.update(kuid, { ...changes }));
      if (credentials.password !== undefined) {
        // A new password ends what the old one allowed: sessions and pending reset tokens.
        await this.#resets.voidFor(kuid);
        await revokeTokens(this.#context, kuid, request);
      }
      return { username: _source.username as string, kuid };
    }

    async delete(_request: RequestContext, kuid: string): Promise<void> {
      const stored = await this.#stored(kuid);
      if (stored === null) throw new NotFoundError('this user has no local credentials');
      await this.#credentials.delete(kuid);
      await this.#resets.voidFor(kuid);
      await this.#throttle.clear(stored._source.username);
    }

    async exists(_request: RequestContext, kuid: string): Promise<boolean> {
      return (await this.#credentials.get(kuid)) !== null;
    }

    /** What clients may see: never the hash, its history or dates. */
    async getInfo(_request: RequestContext, kuid: string): Promise<JsonObject> {
      const stored = await this.#stored(kuid);
      return stored === null ? {} : { username: stored._source.username, kuid };
    }

    async getById(_request: RequestContext, username: string): Promise<JsonObject> {
      const found = await this.#byUsername(normalizeUsername(username, this.#config.caseSensitiveUsernames));
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
      const { hits, total } = await this.#credentials.search({ where, sort: [{ field: 'username' }], ...options });
      return { hits: hits.map((hit) => ({ username: hit._source.username as string, kuid: hit._id })), total };
    }

    async verify(_request: unknown, username: unknown, password: unknown): Promise<VerifyResult> {
      const name = this.#loginName(username);
      if (name !== null) {
        const wait = await this.#throttle.admit(name);
        if (wait > 0) throw new TooManyRequestsError(`too many failed logins for this account: retry in ${Math.ceil(wait / 1000)} s`);
      }
      const stored = name === null ? null : await this.#byUsername(name);
      const candidate = typeof password === 'string' ? password.normalize('NFKC') : '';
      const usable = candidate.length > 0 && candidate.length <= MAX_PASSWORD;
      // Exactly one bcrypt compare on every path (malformed input included):
      // against the user's hash, or the dummy.
      const matches = await this.#context.password.verify(usable ? candidate : 'an unusable password', stored?._source.hash ?? this.#dummyHash);
      if (name === null || stored === null || !usable || !matches) return FAILED;
      await this.#throttle.clear(name);
      await this.#rehashIfCostChanged(stored, candidate);
      if (isExpired(stored._source, this.#config.policy)) return { kuid: null, message: 'password expired: it must be changed' };
      return { kuid: stored._id };
    }

    /** The normalized username of a login attempt, or null if it cannot be one. */
    #loginName(username: unknown): string | null {
      try {
        return normalizeUsername(username, this.#config.caseSensitiveUsernames);
      } catch {
        return null;
      }
    }

    async #stored(kuid: string): Promise<(StoredDocument & { _source: StoredCredentials & JsonObject }) | null> {
      return (await this.#credentials.get(kuid)) as (StoredDocument & { _source: StoredCredentials & JsonObject }) | null;
    }

    async #byUsername(username: string) {
      const { hits } = await this.#credentials.search({ where: { username }, size: 1 });
      return (hits[0] ?? null) as (StoredDocument & { _source: StoredCredentials & JsonObject }) | null;
    }

    async #assertUsernameFree(username: string, asGiven: string, kuid: string): Promise<void> {
      const holder = await this.#byUsername(username);
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

    async #assertNotReused(password: string, stored: StoredCredentials): Promise<void> {
      const recent = [stored.hash, ...stored.history].slice(0, this.#config.policy.historySize);
      for (const hash of recent) {
        if (await this.#context.password.verify(password, hash)) {
          throw new BadRequestError(`password must differ from the last ${this.#config.policy.historySize} passwords`);
        }
      }
    }

    /** Guessing the current password here is throttled like logins, under the same account. */
    async #assertCurrentPassword(current: unknown, stored: StoredCredentials): Promise<void> {
      if (typeof current !== 'string' || current.length === 0 || current.length > MAX_PASSWORD) {
        throw new BadRequestError('currentPassword is required to change these credentials');
      }
      const wait = await this.#throttle.admit(stored.username);
      if (wait > 0) throw new TooManyRequestsError(`too many wrong passwords for this account: retry in ${Math.ceil(wait / 1000)} s`);
      if (!(await this.#context.password.verify(current.normalize('NFKC'), stored.hash))) throw new BadRequestError('currentPassword is wrong');
      await this.#throttle.clear(stored.username);
    }

    async #rehashIfCostChanged(stored: StoredDocument & { _source: StoredCredentials & JsonObject }, password: string): Promise<void> {
      // The cost is in the hash itself ($2b$NN$...): no host call on every login to read it.
      if (Number(stored._source.hash.split('$')[2]) === this.#config.cost) return;
      const rehashed = await this.#context.password.hash(password, this.#config.cost);
      // Only over the hash just compared: a password changed meanwhile must not be undone.
      await this.#credentials.updateIf(stored._id, { hash: stored._source.hash }, { hash: rehashed });
    }


  },
);
