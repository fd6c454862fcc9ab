/**
 * A test harness for plugin authors: starts a plugin in a real isolate
 * (worker thread, permission model, its own SQLite namespace in a temp data
 * dir, the kernel's real host services) and calls its strategy methods the
 * way the kernel does. For vitest, which runs this module from source.
 *
 * @example
 * ```ts
 * import { startPluginHarness } from '@portcullis/sdk-plugin/testing';
 * const plugin = await startPluginHarness({ dir: new URL('..', import.meta.url).pathname, config: {} });
 * await plugin.call('local', 'create', { credentials: { username: 'ada', password: '...' }, kuid: 'kuid-1' });
 * const outcome = await plugin.login('local', { username: 'ada', password: '...' });
 * await plugin.stop();
 * ```
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { AuditLog } from '../../../kernel/audit/audit-log.js';
import { parsePluginsConfig, type PluginSettings } from '../../../kernel/config/plugins-config.js';
import { PasswordService } from '../../../kernel/host/password-service.js';
import { createLogger } from '../../../kernel/log.js';
import { PluginHost, type PluginHealth } from '../../../kernel/plugins/plugin-host.js';
import { CredentialLedger } from '../../../kernel/security/credential-ledger.js';
import { UserStore } from '../../../kernel/security/user-store.js';
import { TokenStore } from '../../../kernel/tokens/token-store.js';
import { openKernelDb } from '../../../kernel/storage/kernel-db.js';
import { KERNEL_VERSION } from '../../../kernel/version.js';
import type { JsonObject, JsonValue, LoginRequest, PluginApi, RequestContext, VerifyOutcome } from '../protocol.js';
import { LogCapture } from './log-capture.js';

export interface PluginHarnessOptions {
  /** The plugin folder (holding manifest.json); its name is the folder's name. */
  dir: string;
  /** The plugin's `config`, as plugins.json would give it. */
  config?: JsonObject;
  /** Other plugins.json settings (threads, callTimeoutMs, heapMb, ...). */
  settings?: Partial<Omit<PluginSettings, 'enabled' | 'config'>>;
  /** Reuse a data dir (to test persistence), left in place by `stop()`; by default a fresh temp dir that `stop()` removes. */
  dataDir?: string;
  /** Resolve even if the plugin fails to boot (to test the failure). Default: reject with its error. */
  allowBootFailure?: boolean;
}

type StrategyCall = Exclude<keyof PluginApi, 'describe' | 'verify'>;
/** A method's params without `request` and `strategy`, which the harness fills. */
type CallParams<M extends StrategyCall> = Omit<PluginApi[M]['params'], 'request' | 'strategy'> & { request?: Partial<RequestContext> };

export interface PluginHarness {
  readonly name: string;
  readonly dataDir: string;
  /** Strategies the plugin registered. */
  readonly strategies: string[];
  /** Calls a strategy method as the kernel does. */
  call<M extends StrategyCall>(strategy: string, method: M, params: CallParams<M>): Promise<PluginApi[M]['result']>;
  /** Calls one of the plugin's API actions, as the kernel's route for it would. */
  action(controller: string, action: string, input?: { args?: JsonObject; body?: JsonObject | null; request?: Partial<RequestContext> }): Promise<JsonValue>;
  /** Runs the strategy's passport verify on a login request. */
  login(strategy: string, body: JsonObject, request?: Partial<Omit<LoginRequest, 'body'>>): Promise<VerifyOutcome>;
  health(): PluginHealth;
  /** The boot error if the plugin failed to start. */
  bootFailure(): Error | undefined;
  /** Everything logged so far (kernel and plugin lines), as JSON strings. */
  logs(): string[];
  /** Stops the plugin, and removes the data dir if the harness made it. */
  stop(): Promise<void>;
}

export async function startPluginHarness(options: PluginHarnessOptions): Promise<PluginHarness> {
  const dir = resolve(options.dir);
  const name = basename(dir);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `portcullis-${name}-`));
  const plugins = parsePluginsConfig({ plugins: { [name]: { enabled: true, config: options.config ?? {}, ...options.settings } } }, 'harness');
  const capture = new LogCapture();
  const db = openKernelDb(join(dataDir, 'kernel.sqlite'));
  const log = createLogger('trace', capture);
  const host = await PluginHost.start({
    plugins,
    pluginsDir: dirname(dir),
    dataDir,
    kernelVersion: KERNEL_VERSION,
    // Cost 4 keeps tests fast; production refuses below 10.
    passwords: new PasswordService(4),
    users: new UserStore(db),
    // Where `users.create` with `strategy` enrolls the new user, as in the kernel.
    ledger: new CredentialLedger(db),
    tokens: new TokenStore(db, randomBytes(32)),
    // The harness has no roles or profiles to edit: the plugin's allowedProfiles are the whole check.
    profileExists: () => true,
    // As the kernel's: what the plugin does through the host (users it creates, sessions it ends) is recorded.
    audit: new AuditLog(db, { retentionMs: 86_400_000, maxFailures: 1000, log }),
    db,
    // Trace: tests can count host calls (host-endpoint.ts logs each method, never its params).
    log,
  });
  const stop = async () => {
    await host.stop();
    db.close();
    // Only once nothing has it open; a dataDir the caller passed is theirs to keep.
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const failure = host.bootFailure(name);
  if (failure !== undefined && options.allowBootFailure !== true) {
    await stop();
    throw failure;
  }
  return {
    name,
    dataDir,
    strategies: host.health()[name]?.strategies ?? [],
    call: (strategy, method, params) =>
      host.registry.call(strategy, method, { ...params, strategy, request: requestContext(params.request) } as never),
    action: (controller, action, input = {}) =>
      host.callAction(name, controller, action, {
        ...requestContext({ controller: `${name}/${controller}`, action, args: input.args ?? {}, ...input.request }),
        body: input.body ?? null,
      }),
    login: (strategy, body, request = {}) =>
      host.registry.call(strategy, 'verify', { strategy, request: loginRequest(body, request) }),
    health: () => host.health()[name]!,
    bootFailure: () => failure,
    logs: () => capture.lines(),
    stop,
  };
}

function requestContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return { requestId: randomUUID(), controller: 'security', action: 'harness', userId: null, tokenId: null, args: {}, ip: '127.0.0.1', ...overrides };
}

function loginRequest(body: JsonObject, overrides: Partial<Omit<LoginRequest, 'body'>>): LoginRequest {
  return {
    body,
    query: {},
    headers: {},
    ip: '127.0.0.1',
    ...overrides,
    original: requestContext({ controller: 'auth', action: 'login', ...overrides.original }),
  };
}
