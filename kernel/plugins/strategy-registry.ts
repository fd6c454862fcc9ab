/**
 * Which plugin serves which strategy, and the one way the kernel calls a
 * strategy method. A strategy of a plugin that failed to boot stays listed
 * as unavailable, so clients get 503 `plugin.runtime.unavailable` instead
 * of a misleading "unknown strategy".
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { PluginApi, StrategyDescription } from '@portcullis/sdk-plugin/protocol';
import type { PluginIsolate } from './plugin-isolate.js';

type StrategyCall = Exclude<keyof PluginApi, 'describe'>;

interface Registration {
  plugin: string;
  isolate: PluginIsolate | null;
  description: StrategyDescription | null;
}

export class StrategyRegistry {
  readonly #strategies = new Map<string, Registration>();

  /** Registers a booted plugin's strategies; a name already taken is a boot error naming both plugins. */
  register(isolate: PluginIsolate, strategies: Record<string, StrategyDescription>): void {
    for (const name of Object.keys(strategies)) this.#assertFree(name, isolate.name);
    for (const [name, description] of Object.entries(strategies)) {
      this.#strategies.set(name, { plugin: isolate.name, isolate, description });
    }
  }

  /** Reserves the strategies of a plugin that failed to boot: they answer 503. */
  registerUnavailable(plugin: string, names: readonly string[]): void {
    for (const name of names) {
      if (!this.#strategies.has(name)) this.#strategies.set(name, { plugin, isolate: null, description: null });
    }
  }

  /** Names of the strategies that can be used now. */
  names(): string[] {
    return [...this.#strategies].filter(([, r]) => r.isolate?.status === 'ready').map(([name]) => name);
  }

  /** Every registered strategy, its plugin down or not: a user deletion must reach them all. */
  registered(): string[] {
    return [...this.#strategies.keys()];
  }

  pluginOf(strategy: string): string | undefined {
    return this.#strategies.get(strategy)?.plugin;
  }

  /** Calls a strategy method in its plugin's isolate; every failure is a rejection. */
  async call<M extends StrategyCall>(strategy: string, method: M, params: PluginApi[M]['params']): Promise<PluginApi[M]['result']> {
    return this.#available(strategy).isolate.call(method, params);
  }

  /** Throws 400 `security.credentials.unknown_strategy`, or 503 when its plugin is down. */
  assertAvailable(strategy: string): void {
    this.#available(strategy);
  }

  /** The credential fields of a strategy (Kuzzle's `config.fields`). */
  fieldsOf(strategy: string): string[] {
    return [...this.#available(strategy).description.fields];
  }

  #available(strategy: string): { isolate: PluginIsolate; description: StrategyDescription } {
    const registration = this.#strategies.get(strategy);
    if (registration === undefined) throw new PluginError('security.credentials.unknown_strategy', strategy);
    if (registration.isolate === null || registration.description === null) {
      throw new PluginError('plugin.runtime.unavailable', registration.plugin, 'it failed to start; see the kernel log and GET /_healthCheck');
    }
    // A registered isolate answers for itself: failed, stopping or backing off.
    return { isolate: registration.isolate, description: registration.description };
  }

  #assertFree(name: string, plugin: string): void {
    const taken = this.#strategies.get(name);
    if (taken !== undefined && taken.plugin !== plugin) {
      throw new PluginError('plugin.strategy.duplicate_strategy', name, taken.plugin, plugin);
    }
  }
}
