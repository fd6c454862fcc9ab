/**
 * The host services one plugin can reach, and only these: its own storage
 * namespace, password hashing, a limited users service, and logging.
 *
 * An endpoint is built per plugin with that plugin's store: the namespace is
 * bound here, by construction, and no message can name another one. Every
 * message is untrusted input: it is checked, and answered with an error as
 * data when wrong; nothing it sends can throw into the kernel.
 */
import { randomUUID } from 'node:crypto';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { checkJsonResult } from '@portcullis/sdk-plugin/json-result';
import {
  HOST_METHODS,
  type HostCall,
  type HostMethod,
  type HostReply,
  type LogLevel,
  type WireError,
} from '@portcullis/sdk-plugin/protocol';
import type { AuditEvent } from '../audit/audit-log.js';
import type { Logger } from '../log.js';
import type { HostEndpoint } from '../plugins/plugin-isolate.js';
import type { CredentialLedger } from '../security/credential-ledger.js';
import type { UserStore } from '../security/user-store.js';
import type { PluginStore } from '../storage/plugin-store.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { LogThrottle } from './log-throttle.js';
import type { PasswordService } from './password-service.js';

export interface HostDependencies {
  store: PluginStore;
  passwords: PasswordService;
  users: UserStore;
  /** Where a user this plugin creates is enrolled in one of its strategies. */
  ledger: CredentialLedger;
  /** Whether this plugin serves `strategy` (asked at each call: strategies register after init). */
  ownsStrategy(strategy: string): boolean;
  /** Ends a user's sessions (after a password change), keeping one token if asked. */
  tokens: { revokeUser(kuid: string, keepTokenId?: string): number };
  /** Where the users this plugin creates and the sessions it ends are recorded. */
  audit: { record(event: AuditEvent): void };
  /** Profiles this plugin may give the users it creates (plugins.json `allowedProfiles`). */
  allowedProfiles: readonly string[];
  /** Whether a profile exists now (roles and profiles are editable). */
  profileExists(id: string): boolean;
  /** This plugin's password pepper (plugin-peppers.ts). */
  pepper: Buffer;
  /** The kernel logger, already tagged with the plugin name. */
  log: Logger;
}

const LOG_LEVELS = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);
const MAX_LOG_LINE = 4000;
/**
 * bcrypt operations one plugin hands to libuv at once: its pool (4 threads
 * unless UV_THREADPOOL_SIZE says otherwise) plus 2 queued, so a thread that
 * finishes a compare picks the next one itself instead of waiting for the
 * main thread to start it. Measured (bench/login, 2 cores): with 2 at once
 * a core sat idle and logins reached 75% of raw bcrypt; with the pool
 * exactly (4), 94.8% at cost 12 with 32 in flight; with 6, 94.6-97.3% over
 * two noisy runs: within noise, kept for the reason above. The cost: other
 * work on the pool (file I/O) may wait behind 2 compares. How much a plugin
 * can queue here is bounded by the host calls a thread may have in flight.
 */
const PASSWORD_CONCURRENCY = (Number(process.env.UV_THREADPOOL_SIZE) || 4) + 2;

export function createHostEndpoint(plugin: string, deps: HostDependencies): HostEndpoint {
  const throttle = new LogThrottle();
  const hashing = new ConcurrencyLimit(PASSWORD_CONCURRENCY);
  const log = (level: LogLevel, message: string) => {
    if (throttle.allow()) deps.log[level](message.slice(0, MAX_LOG_LINE));
  };
  return {
    async handle(message: unknown): Promise<HostReply | null> {
      const kind = messageKind(message);
      if (kind === 'log') {
        const line = message as { level: LogLevel; message: string };
        log(line.level, line.message);
        return null;
      }
      if (kind === 'malformed') {
        const id = (message as { id?: unknown } | null)?.id;
        if (!Number.isSafeInteger(id)) {
          log('warn', 'dropped a malformed host message');
          return null;
        }
        return reply(id as number, () => Promise.reject(new PluginError('plugin.runtime.malformed_message', plugin, 'a host call needs a known method and params object')), log);
      }
      const call = message as HostCall;
      // The method only, never its params (they hold passwords and hashes).
      deps.log.trace({ hostCall: call.method }, 'host call');
      return reply(call.id, () => serve(plugin, deps, hashing, call), log);
    },
  };
}

function messageKind(message: unknown): 'log' | 'call' | 'malformed' {
  if (typeof message !== 'object' || message === null) return 'malformed';
  const m = message as Record<string, unknown>;
  if (m.type === 'log') return LOG_LEVELS.has(m.level as LogLevel) && typeof m.message === 'string' ? 'log' : 'malformed';
  const wellFormed =
    m.type === 'call' &&
    Number.isSafeInteger(m.id) &&
    HOST_METHODS.includes(m.method as HostMethod) &&
    typeof m.params === 'object' &&
    m.params !== null;
  return wellFormed ? 'call' : 'malformed';
}

async function reply(id: number, run: () => Promise<unknown>, log: (level: LogLevel, message: string) => void): Promise<HostReply> {
  try {
    return { type: 'reply', id, ok: true, value: await run() };
  } catch (error) {
    return { type: 'reply', id, ok: false, error: wireFrom(error, log) };
  }
}

function wireFrom(error: unknown, log: (level: LogLevel, message: string) => void): WireError {
  if (error instanceof PluginError) return error.toWire();
  const ref = randomUUID();
  log('error', `host service failed (ref ${ref}): ${error instanceof Error ? error.message : String(error)}`);
  return new PluginError('plugin.runtime.unexpected_error', `host service failed, reference ${ref}`).toWire();
}

async function serve(plugin: string, deps: HostDependencies, hashing: ConcurrencyLimit, call: HostCall): Promise<unknown> {
  const { store, passwords, users } = deps;
  switch (call.method) {
    case 'storage.declareCollection':
      store.declareCollection(call.params);
      return null;
    case 'storage.create':
      return store.create(call.params.collection, call.params.id ?? null, call.params.body);
    case 'storage.get':
      return store.get(call.params.collection, call.params.id);
    case 'storage.mGet':
      return store.mGet(call.params.collection, call.params.ids);
    case 'storage.update':
      return store.update(call.params.collection, call.params.id, call.params.changes);
    case 'storage.updateIf':
      return store.updateIf(call.params.collection, call.params.id, call.params.expected, call.params.changes);
    case 'storage.increment':
      return store.increment(call.params.collection, call.params.id, call.params.field, call.params.by, call.params.initial ?? {});
    case 'storage.replace':
      return store.replace(call.params.collection, call.params.id, call.params.body);
    case 'storage.createOrReplace':
      return store.createOrReplace(call.params.collection, call.params.id, call.params.body);
    case 'storage.delete':
      return store.delete(call.params.collection, call.params.id);
    case 'storage.search':
      return store.search(call.params.collection, call.params.query ?? {});
    case 'storage.count':
      return store.count(call.params.collection, call.params.where);
    case 'password.hash':
      return hashing.run(() => passwords.hash(deps.pepper, call.params.password, call.params.cost));
    case 'password.verify':
      return hashing.run(() => passwords.verify(deps.pepper, call.params.password, call.params.hash));
    case 'password.needsRehash':
      return passwords.needsRehash(call.params.hash, call.params.cost);
    case 'users.get':
      return users.get(kuidOf(call.params.kuid));
    case 'users.exists':
      return users.exists(kuidOf(call.params.kuid));
    case 'users.create':
      return createUser(plugin, deps, call.params);
    case 'users.revokeTokens': {
      const keep = call.params.keepTokenId;
      const kuid = kuidOf(call.params.kuid);
      deps.tokens.revokeUser(kuid, typeof keep === 'string' ? keep : undefined);
      // The plugin as controller, the host method as action: a password change or reset ends sessions this way.
      deps.audit.record({ type: 'tokenRevocation', outcome: 'success', controller: plugin, action: call.method, target: kuid });
      return null;
    }
    default:
      return assertNever(call);
  }
}

function createUser(plugin: string, deps: HostDependencies, params: HostCall['params'] & { profileIds?: unknown; content?: unknown; kuid?: unknown; strategy?: unknown }) {
  const { profileIds, content, kuid, strategy } = params;
  const enrollIn = enrollmentStrategy(plugin, deps, strategy);
  if (!Array.isArray(profileIds) || profileIds.length === 0 || !profileIds.every((p) => typeof p === 'string')) {
    throw new PluginError('api.assert.invalid_argument', 'profileIds', 'a non-empty array of profile ids');
  }
  const refused = profileIds.filter((p) => !deps.allowedProfiles.includes(p));
  if (refused.length > 0) {
    throw new PluginError('api.assert.forbidden_argument', `profileIds (plugin "${plugin}" may not give ${refused.join(', ')})`);
  }
  const unknown = profileIds.find((p) => !deps.profileExists(p));
  if (unknown !== undefined) throw new PluginError('security.profile.not_found', unknown);
  if (typeof content !== 'object' || content === null || Array.isArray(content) || !checkJsonResult(content).ok) {
    throw new PluginError('api.assert.invalid_argument', 'content', 'a plain JSON object');
  }
  // Size and depth are checked by the user store, for every way users are written.
  const create = () => deps.users.create(kuid === null || kuid === undefined ? null : kuidOf(kuid), content as Record<string, never>, profileIds);
  // Only a user created here, in the same transaction: enrolling an existing user would let the plugin log in as anyone.
  const created = enrollIn === null ? create() : deps.ledger.enrollNewUser(enrollIn, create);
  deps.audit.record({ type: 'adminChange', outcome: 'success', controller: plugin, action: 'users.create', target: created._id });
  return created;
}

/** The strategy a new user is enrolled in: none, or one this plugin serves (403 otherwise). */
function enrollmentStrategy(plugin: string, deps: HostDependencies, strategy: unknown): string | null {
  if (strategy === null || strategy === undefined) return null;
  if (typeof strategy !== 'string' || strategy.length === 0 || strategy.length > 64) {
    throw new PluginError('api.assert.invalid_argument', 'strategy', 'a strategy name of 1 to 64 characters');
  }
  if (!deps.ownsStrategy(strategy)) {
    throw new PluginError('api.assert.forbidden_argument', `strategy (plugin "${plugin}" does not serve "${strategy}")`);
  }
  return strategy;
}

function kuidOf(kuid: unknown): string {
  if (typeof kuid !== 'string' || kuid.length === 0 || kuid.length > 128) {
    throw new PluginError('api.assert.invalid_argument', 'kuid', 'a string of 1 to 128 characters');
  }
  return kuid;
}

function assertNever(call: never): never {
  throw new PluginError('plugin.runtime.malformed_message', 'host', `unknown method in ${JSON.stringify(call).slice(0, 200)}`);
}
