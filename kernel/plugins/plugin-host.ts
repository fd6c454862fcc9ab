/**
 * Boots every enabled plugin: manifest -> private store -> isolate ->
 * handshake and init -> strategy registration. Plugins boot in parallel and
 * register in plugins.json order, so a duplicate strategy is reported the
 * same way every time. A plugin that fails is marked failed and the rest
 * serve; only a duplicate strategy name stops the kernel.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRequest, ApiDescription, JsonObject, JsonValue, PluginDescription } from '@portcullis/sdk-plugin/protocol';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { enabledPlugins, type PluginSettings, type PluginsConfig } from '../config/plugins-config.js';
import { createHostEndpoint, type HostDependencies } from '../host/host-endpoint.js';
import type { PasswordService } from '../host/password-service.js';
import type { Logger } from '../log.js';
import type { UserStore } from '../security/user-store.js';
import type { KernelDb } from '../storage/kernel-db.js';
import { pepperFor } from '../host/plugin-peppers.js';
import { PluginStore } from '../storage/plugin-store.js';
import { loadManifest, type PluginManifest } from './plugin-manifest.js';
import { PluginIsolate, type IsolateHealth } from './plugin-isolate.js';
import { StrategyRegistry } from './strategy-registry.js';

export interface PluginHostOptions {
  plugins: PluginsConfig;
  pluginsDir: string;
  dataDir: string;
  kernelVersion: string;
  passwords: PasswordService;
  users: UserStore;
  ledger: HostDependencies['ledger'];
  tokens: HostDependencies['tokens'];
  profileExists: HostDependencies['profileExists'];
  audit: HostDependencies['audit'];
  /** The kernel database, where plugin peppers are kept. */
  db: KernelDb;
  log: Logger;
}

export interface PluginHealth extends Partial<IsolateHealth> {
  status: IsolateHealth['status'];
  strategies: string[];
}

type BootResult =
  | { name: string; isolate: PluginIsolate; description: PluginDescription }
  | { name: string; failure: PluginError; strategies: string[] };

export class PluginHost {
  readonly registry = new StrategyRegistry();
  readonly #isolates = new Map<string, PluginIsolate>();
  readonly #stores: PluginStore[] = [];
  /** Plugins whose namespace held nothing when this process opened it (see {@link newNamespace}). */
  readonly #newNamespaces = new Set<string>();
  readonly #failed = new Map<string, { error: PluginError; strategies: string[] }>();
  readonly #apis = new Map<string, ApiDescription>();

  private constructor(private readonly options: PluginHostOptions) {}

  static async start(options: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(options);
    mkdirSync(join(options.dataDir, 'plugins'), { recursive: true, mode: 0o700 });
    const results = await Promise.all(enabledPlugins(options.plugins).map(([name, s]) => host.#boot(name, s)));
    try {
      // Booted plugins first: a failed plugin's reserved names never block a real one.
      for (const result of results) if (!('failure' in result)) host.#register(result);
      for (const result of results) if ('failure' in result) host.#register(result);
    } catch (error) {
      await host.stop();
      throw error;
    }
    return host;
  }

  health(): Record<string, PluginHealth> {
    const report: Record<string, PluginHealth> = {};
    for (const [name, isolate] of this.#isolates) {
      report[name] = { ...isolate.health(), strategies: this.#strategiesOf(name) };
    }
    for (const [name, failed] of this.#failed) {
      report[name] = { status: 'failed', error: failed.error.id, strategies: failed.strategies };
    }
    return report;
  }

  /** Calls `listener` whenever a thread of a running plugin becomes ready (after a crash, a deadline, a backoff). */
  onThreadReady(listener: (plugin: string) => void): void {
    for (const [name, isolate] of this.#isolates) isolate.onThreadReady = () => listener(name);
  }

  /** Each booted plugin's API (controller -> action -> HTTP routes), for the route table. */
  apis(): Record<string, ApiDescription> {
    return Object.fromEntries(this.#apis);
  }

  /** Calls a plugin API action: `<plugin>/<controller>:<action>`. An unknown one is 404. */
  async callAction(plugin: string, controller: string, action: string, request: ActionRequest): Promise<JsonValue> {
    const isolate = this.#isolates.get(plugin);
    const api = this.#apis.get(plugin);
    // Own keys only: `constructor` or `toString` must not count as a declared action.
    const declared = api !== undefined && Object.hasOwn(api, controller) && Object.hasOwn(api[controller]!, action);
    if (isolate === undefined || !declared) {
      throw new PluginError('api.process.action_not_found', `${plugin}/${controller}`, action);
    }
    return isolate.call('action', { request, controller, action });
  }

  /** Why a plugin failed to boot, if it did (the full error, for the operator and tests). */
  bootFailure(plugin: string): PluginError | undefined {
    return this.#failed.get(plugin)?.error;
  }

  /** Whether `plugin`'s namespace held nothing when this process opened it: nothing an earlier run stored (credential ledger). */
  newNamespace(plugin: string): boolean {
    return this.#newNamespaces.has(plugin);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#isolates.values()].map((isolate) => isolate.stop()));
    for (const store of this.#stores.splice(0)) store.close();
  }

  async #boot(name: string, settings: PluginSettings): Promise<BootResult> {
    const log = this.options.log.child({ plugin: name });
    const started = performance.now();
    let manifest: PluginManifest | undefined;
    try {
      manifest = loadManifest(this.options.pluginsDir, name, this.options.kernelVersion);
      const store = PluginStore.open(join(this.options.dataDir, 'plugins', `${name}.sqlite`));
      // Judged by its content, not the file's existence: a WAL left beside a deleted file can bring data back.
      if (store.empty) this.#newNamespaces.add(name);
      this.#stores.push(store);
      const endpoint = createHostEndpoint(name, {
        store,
        passwords: this.options.passwords,
        users: this.options.users,
        ledger: this.options.ledger,
        ownsStrategy: (strategy) => this.registry.pluginOf(strategy) === name,
        tokens: this.options.tokens,
        audit: this.options.audit,
        allowedProfiles: settings.allowedProfiles,
        profileExists: this.options.profileExists,
        pepper: pepperFor(this.options.db, name),
        log,
      });
      const boot = { plugin: name, version: manifest.version, pluginDir: manifest.dir, entry: manifest.entry, config: settings.config as JsonObject, callTimeoutMs: settings.callTimeoutMs };
      const isolate = new PluginIsolate(boot, settings, endpoint, log);
      this.#isolates.set(name, isolate);
      const description = await isolate.boot();
      log.info({ ms: Math.round(performance.now() - started), strategies: Object.keys(description.strategies) }, 'plugin ready');
      return { name, isolate, description };
    } catch (error) {
      const failure = error instanceof PluginError ? error : new PluginError('plugin.runtime.unexpected_error', `${name}: ${String(error)}`);
      log.error({ error: failure.id }, `plugin failed to boot: ${failure.message}`);
      return { name, failure, strategies: manifest?.strategies ?? [name] };
    }
  }

  #register(result: BootResult): void {
    if ('failure' in result) {
      this.#isolates.delete(result.name);
      this.#failed.set(result.name, { error: result.failure, strategies: result.strategies });
      this.registry.registerUnavailable(result.name, result.strategies);
      return;
    }
    this.registry.register(result.isolate, result.description.strategies);
    this.#apis.set(result.name, result.description.api);
  }

  #strategiesOf(plugin: string): string[] {
    return this.registry.names().filter((strategy) => this.registry.pluginOf(strategy) === plugin);
  }
}
