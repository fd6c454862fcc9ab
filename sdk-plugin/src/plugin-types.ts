/**
 * The plugin author's side of Kuzzle's strategy contract, typed.
 *
 * A plugin is a class (or an object) with `init(config, context)` that sets
 * `authenticators` (name -> passport Strategy constructor) and `strategies`
 * (name -> {config, methods}), where each method value names one of the
 * plugin's own functions. See sdk-plugin/README.md for a complete example.
 */
import type * as errors from './errors.js';
import type { ActionAudit, ActionRequest, LogLevel, JsonObject, LoginRequest, RequestContext, UserRecord } from './protocol.js';
import type { PluginStorage } from './repository.js';

/**
 * A passport Strategy constructor, e.g. `Strategy` from `passport-local`.
 * @example `this.authenticators = { Local: Strategy };`
 */
export type AuthenticatorConstructor = new (options: object, verify: (...args: never[]) => void) => object;

/**
 * Kuzzle's strategy description.
 * @example
 * ```ts
 * this.strategies = { local: { config: { authenticator: 'Local', fields: ['username', 'password'] },
 *   methods: { create: 'create', delete: 'delete', exists: 'exists', update: 'update', validate: 'validate', verify: 'verify' } } };
 * ```
 */
export interface StrategyDefinition {
  config: {
    /** A key of the plugin's `authenticators`. */
    authenticator: string;
    /** The credential fields this strategy reads, e.g. `['username', 'password']`. */
    fields?: string[];
    /** Passed to the passport Strategy constructor (`passReqToCallback` is forced on). */
    strategyOptions?: Record<string, unknown>;
    /** Passed to the strategy's `authenticate(req, options)`. */
    authenticateOptions?: Record<string, unknown>;
  };
  /** Strategy method -> name of the plugin function implementing it. */
  methods: {
    create: string;
    delete: string;
    exists: string;
    update: string;
    validate: string;
    verify: string;
    afterRegister?: string;
    getById?: string;
    getInfo?: string;
    search?: string;
  };
}

/**
 * Hashing done by the kernel with native bcrypt, off the main thread.
 * @example `const ok = await context.password.verify(password, stored.hash);`
 */
export interface PasswordService {
  /** @example `const hash = await context.password.hash(password, 12)` */
  hash(password: string, cost?: number): Promise<string>;
  /** @example `if (await context.password.verify(password, stored.hash)) ...` */
  verify(password: string, hash: string): Promise<boolean>;
  /** True when `hash` was made with another cost than `cost` (re-hash on next login). */
  needsRehash(hash: string, cost?: number): Promise<boolean>;
}

/**
 * The limited users service: enough to create users on first login.
 * @example `const user = await context.users.create({ content: { email }, profileIds: ['default'], strategy: 'oauth' });`
 */
export interface UsersService {
  /** @example `const user = await context.users.get(kuid)` */
  get(kuid: string): Promise<UserRecord | null>;
  exists(kuid: string): Promise<boolean>;
  /**
   * Creates a user. Profiles must be allowed by the plugin's config
   * (`allowedProfiles`). `strategy`, one of this plugin's own strategies,
   * enrolls the new user in it: the kernel accepts a `verify` naming a user
   * only if the user holds credentials in that strategy, as recorded when the
   * kernel called its `create`, or here. Without it, logins of the new user
   * through this plugin are refused. An existing user cannot be enrolled.
   * @example
   * ```ts
   * // In verify, on the first login of an OAuth identity: reserve the identity under a kuid chosen
   * // here, create the user with it, then complete. A login after a run cut short reads the
   * // reservation back and reuses its kuid, and `already_exists` then means the user that run
   * // made (the whole pattern: sdk-plugin/README.md, `context.users`).
   * const reservation = (await this.identities.get(profile.id))?._source ?? null; // complete: its kuid logs in
   * const kuid = reservation?.kuid ?? `kuid-${randomUUID()}`;
   * if (reservation === null) await this.identities.create({ kuid, pending: true }, profile.id);
   * await context.users.create({ kuid, content: { email }, profileIds: ['default'], strategy: 'oauth' })
   *   .catch((error) => { if (error.id !== 'security.user.already_exists') throw error; });
   * await this.identities.update(profile.id, { pending: false });
   * return { kuid };
   * ```
   */
  create(user: { kuid?: string | null; content?: JsonObject; profileIds: string[]; strategy?: string | null }): Promise<UserRecord>;
  /**
   * Revokes every token of a user (after a password change), at once. Pass
   * the request's `tokenId` as `keepTokenId` to keep the caller's own session
   * when users change their own password.
   * @example `await context.users.revokeTokens(kuid, request.userId === kuid ? request.tokenId : null);`
   */
  revokeTokens(kuid: string, keepTokenId?: string | null): Promise<void>;
}

/**
 * Log lines tagged with the plugin name. Never log a secret.
 * @example `context.log.warn('directory server slow to answer');`
 */
export type PluginLogger = Record<LogLevel, (message: string) => void>;

/**
 * What `init(config, context)` receives.
 * @example `async init(config: JsonObject, context: PluginContext) { this.repo = await context.storage.collection('c'); }`
 */
export interface PluginContext {
  plugin: { name: string; version: string };
  /**
   * The plugin's `callTimeoutMs` (plugins.json): the deadline of each kernel call into the
   * plugin and of each host call it makes. Work that waits on an outside service must give
   * up well before it, or the client gets the kernel's 504 instead of the plugin's answer.
   * @example `if (config.timeoutMs >= context.callTimeoutMs) throw new Error('config.timeoutMs: must be below callTimeoutMs');`
   */
  callTimeoutMs: number;
  storage: PluginStorage;
  password: PasswordService;
  users: UsersService;
  log: PluginLogger;
  /** Kuzzle-style error classes (`new context.errors.BadRequestError('...')`). */
  errors: typeof errors;
}

/**
 * The result a `verify` method resolves to (Kuzzle's contract). A failure's
 * `message` is what the client sees; its optional `reason` (at most 64
 * characters, never a secret) goes to the kernel's audit log only, so every
 * failure can get one answer outside and its detail inside.
 * @example `return ok ? { kuid } : { kuid: null, message: 'wrong username or password', reason: 'unknown user' };`
 */
export type VerifyResult = { kuid: string } | { kuid: null; message?: string; reason?: string };

/**
 * A plugin's API (Kuzzle's format): controllers of actions, served by the
 * kernel as `<plugin>/<controller>:<action>` at `/_/<plugin>/<path>`, with
 * rights checked like any action. A handler is a method name or a function.
 * Every call goes to the kernel's audit log: `audit` says as what
 * (`credentialChange`, `adminChange`), or `none` for a read; without it, as a plugin action.
 * @example `this.api = { password: { actions: { reset: { handler: 'resetPassword', http: [{ verb: 'post', path: 'password/reset' }], audit: 'credentialChange' } } } };`
 */
export type PluginApiDefinition = Record<
  string,
  { actions: Record<string, { handler: string | ((request: ActionRequest) => unknown); http?: Array<{ verb: string; path: string }>; audit?: ActionAudit }> }
>;

/**
 * What a strategy plugin instance looks like to the runtime.
 * @example `export default definePlugin(class MyPlugin implements StrategyPlugin { async init() {} });`
 */
export interface StrategyPlugin {
  authenticators?: Record<string, AuthenticatorConstructor>;
  strategies?: Record<string, StrategyDefinition>;
  api?: PluginApiDefinition;
  init(config: JsonObject, context: PluginContext): void | Promise<void>;
}

/**
 * Signatures of Kuzzle's strategy methods, for typing a plugin's implementations.
 * @example `exists: StrategyMethods['exists'] = async (request, kuid) => (await this.repo.get(kuid)) !== null;`
 */
export interface StrategyMethods {
  create(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject>;
  update(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject>;
  delete(request: RequestContext, kuid: string, strategy: string): Promise<unknown>;
  exists(request: RequestContext, kuid: string, strategy: string): Promise<boolean>;
  validate(
    request: RequestContext,
    credentials: JsonObject,
    kuid: string,
    strategy: string,
    isUpdate: boolean,
  ): Promise<unknown>;
  /** Arguments after `request` are the passport strategy's (e.g. username, password). */
  verify(request: LoginRequest, ...args: never[]): Promise<VerifyResult>;
  getInfo(request: RequestContext, kuid: string, strategy: string): Promise<JsonObject>;
  getById(request: RequestContext, id: string, strategy: string): Promise<JsonObject>;
  search(
    request: RequestContext,
    query: JsonObject,
    options: { from: number; size: number },
    strategy: string,
  ): Promise<{ hits: JsonObject[]; total: number }>;
}

/**
 * Types a plugin class (or object) against the contract; returns it unchanged.
 *
 * @example
 * ```ts
 * export default definePlugin(class MyPlugin implements StrategyPlugin {
 *   init(config: JsonObject, context: PluginContext) { ... }
 * });
 * ```
 */
export function definePlugin<T extends (new () => StrategyPlugin) | StrategyPlugin>(plugin: T): T {
  return plugin;
}
