/**
 * Validates a plugin's `authenticators` and `strategies` with Kuzzle's rules.
 *
 * Mirrors Kuzzle's `PluginsManager._initAuthenticators`, `_initStrategies`
 * and `validateStrategy` (lib/core/plugin/pluginsManager): same checks, same
 * order, same error ids and placeholders, so a plugin written for Kuzzle fails
 * here exactly where it would fail there. Additions are marked "Portcullis:".
 */
import { inspect } from 'node:util';
import { PluginError } from '../errors.js';
import type { AuthenticatorConstructor } from '../plugin-types.js';
import {
  OPTIONAL_STRATEGY_METHODS,
  REQUIRED_STRATEGY_METHODS,
  type StrategyDescription,
  type StrategyMethodName,
} from '../protocol.js';

import { findPluginFunction, isObject, own, type PluginFunction } from './plugin-lookup.js';

export type { AuthenticatorConstructor } from '../plugin-types.js';


export interface ValidatedStrategy {
  name: string;
  /** The passport Strategy constructor named by config.authenticator. */
  Authenticator: AuthenticatorConstructor;
  fields: string[];
  strategyOptions: Record<string, unknown>;
  authenticateOptions: Record<string, unknown>;
  /** Strategy method -> the plugin's function, bound to the plugin instance. */
  methods: Partial<Record<StrategyMethodName, PluginFunction>>;
}

/** Strategy names become URL segments (`/_login/<name>`), so they stay tame. */
export const STRATEGY_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

// Kuzzle's order (exists first); it decides which error a broken plugin sees.
const REQUIRED_ORDER = ['exists', 'create', 'update', 'delete', 'validate', 'verify'] as const;
// Kuzzle's optional order, plus Portcullis' `search`.
const OPTIONAL_ORDER = ['getInfo', 'getById', 'afterRegister', 'search'] as const;

/** Kuzzle's `isConstructor`: has [[Construct]], tested without running it. */
function isConstructor(value: unknown): value is AuthenticatorConstructor {
  if (typeof value !== 'function') return false;
  try {
    Reflect.construct(Object, [], value);
  } catch {
    return false;
  }
  return true;
}

/** A value as Kuzzle's `%s` shows it; `customInspect: false` keeps plugin code out. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return inspect(value, { depth: 0, breakLength: Infinity, customInspect: false, maxArrayLength: 20, maxStringLength: 200 });
}

/** Kuzzle's `_initAuthenticators`; an absent (undefined/null) property means none. */
export function validateAuthenticators(pluginName: string, authenticators: unknown): Map<string, AuthenticatorConstructor> {
  const result = new Map<string, AuthenticatorConstructor>();
  if (authenticators === undefined || authenticators === null) return result;
  const prefix = `[${pluginName}]`;
  if (!isObject(authenticators)) {
    throw new PluginError('plugin.authenticators.not_an_object', prefix);
  }
  for (const name of Object.keys(authenticators)) {
    const Authenticator = authenticators[name];
    if (!isConstructor(Authenticator)) {
      throw new PluginError('plugin.authenticators.invalid_authenticator', prefix, name);
    }
    result.set(name, Authenticator);
  }
  return result;
}

/** Portcullis: a strategy name must be usable as a URL segment. */
function checkStrategyName(prefix: string, name: string): void {
  if (STRATEGY_NAME_PATTERN.test(name)) return;
  const error = new PluginError('plugin.strategy.invalid_description', prefix, show(name));
  // The catalogue template speaks of the description's type; say the real reason.
  error.message =
    `${prefix} invalid strategy name "${name.slice(0, 100)}": strategy names become URL segments and must match ` +
    `${STRATEGY_NAME_PATTERN.source} (a lowercase letter, then up to 63 lowercase letters, digits, "_" or "-").`;
  throw error;
}

/** Kuzzle's required then optional method checks; returns the bound functions. */
function checkMethods(prefix: string, plugin: object, methods: Record<string, unknown>): ValidatedStrategy['methods'] {
  const bound: ValidatedStrategy['methods'] = {};
  const check = (method: StrategyMethodName, required: boolean): void => {
    const target = own(methods, method);
    if (!required && (target === undefined || target === null)) return;
    if (typeof target !== 'string') {
      throw new PluginError('plugin.strategy.invalid_method_type', prefix, method, show(target));
    }
    const fn = findPluginFunction(plugin, target);
    if (fn === undefined) {
      throw new PluginError('plugin.strategy.missing_method_function', prefix, target);
    }
    bound[method] = fn.bind(plugin);
  };
  for (const method of REQUIRED_ORDER) check(method, true);
  for (const method of OPTIONAL_ORDER) check(method, false);
  return bound;
}

/**
 * Kuzzle 1.x's deprecated `config.constructor`. Kuzzle 2 dropped the form; we
 * refuse it outright, with the ids Kuzzle 1.x used. A real constructor given
 * alone falls through to Kuzzle 2's `invalid_authenticator`.
 */
function checkDeprecatedConstructor(prefix: string, config: Record<string, unknown>): void {
  const legacy = own(config, 'constructor');
  if (legacy === undefined || legacy === null) return;
  const authenticator = own(config, 'authenticator');
  if (authenticator !== undefined && authenticator !== null) {
    throw new PluginError('plugin.strategy.unexpected_constructor', prefix);
  }
  if (!isConstructor(legacy)) {
    throw new PluginError('plugin.strategy.invalid_constructor', prefix);
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** `strategyOptions` / `authenticateOptions`: absent, or an object (copied). */
function checkOption(prefix: string, config: Record<string, unknown>, optionName: string): Record<string, unknown> {
  const value = own(config, optionName);
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw new PluginError('plugin.strategy.invalid_option', prefix, optionName, show(value));
  }
  return { ...value };
}

/** Kuzzle's `config` checks, in its order. */
function checkConfig(
  prefix: string,
  config: Record<string, unknown>,
  authenticators: Map<string, AuthenticatorConstructor>,
): Omit<ValidatedStrategy, 'name' | 'methods'> {
  checkDeprecatedConstructor(prefix, config);
  const authenticator = own(config, 'authenticator');
  if (typeof authenticator !== 'string') {
    throw new PluginError('plugin.strategy.invalid_authenticator', prefix, show(authenticator));
  }
  const Authenticator = authenticators.get(authenticator);
  if (Authenticator === undefined) {
    throw new PluginError('plugin.strategy.unknown_authenticator', prefix, authenticator);
  }
  const strategyOptions = checkOption(prefix, config, 'strategyOptions');
  const authenticateOptions = checkOption(prefix, config, 'authenticateOptions');
  const fields = own(config, 'fields');
  // Portcullis: the fields must also be strings (Kuzzle only checks for an array).
  if (fields !== undefined && fields !== null && !isStringArray(fields)) {
    throw new PluginError('plugin.strategy.invalid_fields', prefix, show(fields));
  }
  return { Authenticator, fields: fields ? [...fields] : [], strategyOptions, authenticateOptions };
}

/** Kuzzle's `validateStrategy` for one strategy. */
function validateStrategy(
  pluginName: string,
  name: string,
  description: unknown,
  plugin: object,
  authenticators: Map<string, AuthenticatorConstructor>,
): ValidatedStrategy {
  const prefix = `[${pluginName}] Strategy ${name}:`;
  checkStrategyName(prefix, name);
  if (!isObject(description)) {
    throw new PluginError('plugin.strategy.invalid_description', prefix, show(description));
  }
  const methods = own(description, 'methods');
  if (!isObject(methods)) {
    throw new PluginError('plugin.strategy.invalid_methods', prefix, show(methods));
  }
  const bound = checkMethods(prefix, plugin, methods);
  const config = own(description, 'config');
  if (!isObject(config)) {
    throw new PluginError('plugin.strategy.invalid_config', prefix, show(config));
  }
  return { name, ...checkConfig(prefix, config, authenticators), methods: bound };
}

/**
 * Kuzzle's `_initStrategies`: `plugin.strategies` must be a non-empty object,
 * each entry a valid description. Throws on the first invalid strategy.
 */
export function validateStrategies(
  pluginName: string,
  plugin: object,
  authenticators: Map<string, AuthenticatorConstructor>,
): Map<string, ValidatedStrategy> {
  const strategies: unknown = Reflect.get(plugin, 'strategies');
  if (!isObject(strategies) || Object.keys(strategies).length === 0) {
    throw new PluginError('plugin.strategy.invalid_definition', `[${pluginName}]`);
  }
  const result = new Map<string, ValidatedStrategy>();
  for (const name of Object.keys(strategies)) {
    result.set(name, validateStrategy(pluginName, name, strategies[name], plugin, authenticators));
  }
  return result;
}

/** What the kernel registers: fields, and the methods actually implemented. */
export function describeStrategies(strategies: Map<string, ValidatedStrategy>): Record<string, StrategyDescription> {
  const described: Record<string, StrategyDescription> = {};
  for (const [name, strategy] of strategies) {
    const methods = [...REQUIRED_STRATEGY_METHODS, ...OPTIONAL_STRATEGY_METHODS].filter(
      (method) => strategy.methods[method] !== undefined,
    );
    described[name] = { fields: [...strategy.fields], methods };
  }
  return described;
}
