/**
 * Loads a plugin inside its isolate: import, instantiate, `init(config,
 * context)`, validate its authenticators and strategies with Kuzzle's rules,
 * and build one passport Strategy instance per strategy. Never throws: a
 * plugin that cannot load becomes a failure that every task answers with.
 */
import { pathToFileURL } from 'node:url';
import { PluginError } from '../errors.js';
import type { HostChannel } from '../host-channel.js';
import type { IsolateBootData, PluginDescription, WireError } from '../protocol.js';
import type { PluginContext, StrategyPlugin } from '../plugin-types.js';
import { describeApi, validateApi, type ValidatedApi } from './api-validation.js';
import { buildPluginContext } from './plugin-context.js';
import { describeStrategies, validateAuthenticators, validateStrategies, type ValidatedStrategy } from './strategy-validation.js';
import { toWireError } from './wire-error.js';

export interface ReadyStrategy {
  validated: ValidatedStrategy;
  /** The passport Strategy instance `verify` runs. */
  passport: object;
}

export interface LoadedPlugin {
  plugin: string;
  instance: StrategyPlugin;
  description: PluginDescription;
  strategies: Map<string, ReadyStrategy>;
  api: ValidatedApi;
}

export type PluginState = { loaded: LoadedPlugin } | { failure: WireError };

export async function loadPlugin(boot: IsolateBootData, host: HostChannel): Promise<PluginState> {
  try {
    const instance = await instantiate(boot);
    const context = buildPluginContext(boot, host);
    await runInit(boot, instance, context, host);
    const authenticators = validateAuthenticators(boot.plugin, instance.authenticators ?? {});
    const validated = validateStrategies(boot.plugin, instance, authenticators);
    const strategies = new Map<string, ReadyStrategy>();
    for (const [name, strategy] of validated) {
      strategies.set(name, { validated: strategy, passport: await register(boot.plugin, strategy) });
    }
    const api = validateApi(boot.plugin, instance);
    const description = { plugin: boot.plugin, version: boot.version, strategies: describeStrategies(validated), api: describeApi(api) };
    return { loaded: { plugin: boot.plugin, instance, description, strategies, api } };
  } catch (error) {
    return { failure: toWireError(error, boot.plugin, host) };
  }
}

async function instantiate(boot: IsolateBootData): Promise<StrategyPlugin> {
  let exported: unknown;
  try {
    const module = (await import(pathToFileURL(boot.entry).href)) as { default?: unknown };
    exported = module.default ?? module;
  } catch (error) {
    throw withCause(new PluginError('plugin.assert.cannot_load', boot.entry, describe(error)), error);
  }
  // Kuzzle plugins export a class; an object with init() is accepted too.
  const instance: unknown = typeof exported === 'function' ? new (exported as new () => unknown)() : exported;
  if (typeof instance !== 'object' || instance === null || typeof (instance as StrategyPlugin).init !== 'function') {
    throw new PluginError('plugin.assert.init_not_found', boot.plugin);
  }
  return instance as StrategyPlugin;
}

async function runInit(boot: IsolateBootData, plugin: StrategyPlugin, context: PluginContext, host: HostChannel) {
  try {
    await plugin.init(structuredClone(boot.config), context);
  } catch (error) {
    // The cause goes to the operator's log, not to clients.
    host.log('error', `init failed: ${describe(error)}`);
    throw new PluginError('plugin.runtime.failed_init', boot.plugin);
  }
}

/** Builds the passport Strategy and calls the plugin's afterRegister with it. */
async function register(pluginName: string, strategy: ValidatedStrategy): Promise<object> {
  const options = { ...strategy.strategyOptions, passReqToCallback: true };
  let passport: object;
  try {
    passport = new strategy.Authenticator(options, verifyAdapter(pluginName, strategy));
  } catch (error) {
    throw new PluginError('plugin.strategy.failed_registration', strategy.name, describe(error));
  }
  await strategy.methods.afterRegister?.(passport);
  return passport;
}

type Done = (error: unknown, user?: unknown, info?: unknown) => void;

/**
 * Passport's verify callback, adapted to Kuzzle's `verify` contract: the
 * plugin returns a promise of `{kuid}` (success) or `{kuid: null, message}`
 * (a failed login, not an error).
 */
function verifyAdapter(pluginName: string, strategy: ValidatedStrategy) {
  const prefix = `[${pluginName}] Strategy ${strategy.name}:`;
  const verify = strategy.methods.verify!;
  return (...args: unknown[]): void => {
    const done = args[args.length - 1] as Done;
    let returned: unknown;
    try {
      returned = verify(...args.slice(0, -1));
    } catch (error) {
      done(error);
      return;
    }
    if (typeof (returned as PromiseLike<unknown> | null)?.then !== 'function') {
      done(new PluginError('plugin.strategy.invalid_verify_return', prefix, typeof returned));
      return;
    }
    (returned as PromiseLike<unknown>).then((result) => settleVerify(prefix, result, done), done);
  };
}

function settleVerify(prefix: string, result: unknown, done: Done): void {
  if (typeof result !== 'object' || result === null) {
    done(new PluginError('plugin.strategy.invalid_verify_resolve', prefix));
    return;
  }
  const { kuid, message, reason } = result as { kuid?: unknown; message?: unknown; reason?: unknown };
  if (kuid === null) done(null, false, { message: typeof message === 'string' ? message : undefined, reason });
  else if (typeof kuid === 'string') done(null, kuid);
  else done(new PluginError('plugin.strategy.invalid_kuid', prefix, typeof kuid));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withCause<T extends Error>(error: T, cause: unknown): T {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}
