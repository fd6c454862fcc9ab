/**
 * Answers one kernel -> plugin task: a switch over the closed PluginTask
 * union. Every answer is data (TaskOutcome); nothing thrown escapes.
 */
import { PluginError, wireError } from '../errors.js';
import type { HostChannel } from '../host-channel.js';
import type { PluginTask, StrategyMethodName, TaskOutcome } from '../protocol.js';
import { checkJsonResult } from '../json-result.js';
import type { LoadedPlugin, PluginState, ReadyStrategy } from './load-plugin.js';
import { runPassportStrategy } from './passport-run.js';
import { toWireError } from './wire-error.js';

export async function handleTask(state: PluginState, host: HostChannel, task: PluginTask): Promise<TaskOutcome> {
  if ('failure' in state) return { ok: false, error: state.failure };
  const { loaded } = state;
  try {
    const checked = checkJsonResult(await runTask(loaded, task));
    if (!checked.ok) {
      return { ok: false, error: wireError('plugin.runtime.invalid_result', loaded.plugin, task.method, checked.reason) };
    }
    return { ok: true, value: checked.value };
  } catch (error) {
    return { ok: false, error: toWireError(error, loaded.plugin, host) };
  }
}

async function runTask(plugin: LoadedPlugin, task: PluginTask): Promise<unknown> {
  switch (task.method) {
    case 'describe':
      return plugin.description;
    case 'verify': {
      const { passport, validated } = strategyOf(plugin, task.params.strategy);
      return runPassportStrategy(passport, task.params.request, validated.authenticateOptions);
    }
    case 'create':
    case 'update': {
      const { request, credentials, kuid, strategy } = task.params;
      return objectResult(plugin, task.method, await call(plugin, strategy, task.method, request, credentials, kuid, strategy));
    }
    case 'delete': {
      const { request, kuid, strategy } = task.params;
      await call(plugin, strategy, 'delete', request, kuid, strategy);
      return null;
    }
    case 'exists': {
      const { request, kuid, strategy } = task.params;
      return booleanResult(plugin, await call(plugin, strategy, 'exists', request, kuid, strategy));
    }
    case 'validate': {
      const { request, credentials, kuid, strategy, isUpdate } = task.params;
      await call(plugin, strategy, 'validate', request, credentials, kuid, strategy, isUpdate);
      return null;
    }
    case 'getInfo': {
      const { request, kuid, strategy } = task.params;
      return optionalObject(plugin, strategy, 'getInfo', request, kuid, strategy);
    }
    case 'getById': {
      const { request, id, strategy } = task.params;
      return optionalObject(plugin, strategy, 'getById', request, id, strategy);
    }
    case 'search': {
      const { request, query, strategy, from, size } = task.params;
      return searchResult(plugin, await call(plugin, strategy, 'search', request, query, { from, size }, strategy));
    }
    case 'afterRegister': {
      const ready = strategyOf(plugin, task.params.strategy);
      await call(plugin, task.params.strategy, 'afterRegister', ready.passport);
      return null;
    }
    case 'action': {
      const { controller, action, request } = task.params;
      const handler = plugin.api.get(controller)?.get(action)?.handler;
      if (handler === undefined) throw new PluginError('plugin.controller.undefined_action', `[${plugin.plugin}]`, `${controller}:${action}`, '');
      return (await handler(request)) ?? null;
    }
    default:
      return assertNever(task);
  }
}

function strategyOf(plugin: LoadedPlugin, name: string): ReadyStrategy {
  const ready = plugin.strategies.get(name);
  if (ready === undefined) throw new PluginError('security.credentials.unknown_strategy', name);
  return ready;
}

/** Calls a declared strategy method; an optional one not implemented is Kuzzle's missing_optional_method. */
async function call(plugin: LoadedPlugin, strategy: string, method: StrategyMethodName, ...args: unknown[]) {
  const fn = strategyOf(plugin, strategy).validated.methods[method];
  if (fn === undefined) throw new PluginError('plugin.strategy.missing_optional_method', method, strategy);
  return fn(...args);
}

/** Kuzzle answers `{}` for getInfo/getById when a strategy does not implement them. */
async function optionalObject(plugin: LoadedPlugin, strategy: string, method: 'getInfo' | 'getById', ...args: unknown[]) {
  const fn = strategyOf(plugin, strategy).validated.methods[method];
  return fn === undefined ? {} : objectResult(plugin, method, await fn(...args));
}

function objectResult(plugin: LoadedPlugin, method: string, value: unknown): object {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PluginError('plugin.runtime.invalid_result', plugin.plugin, method, `expected an object, got ${typeof value}`);
  }
  return value;
}

function booleanResult(plugin: LoadedPlugin, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new PluginError('plugin.runtime.invalid_result', plugin.plugin, 'exists', `expected a boolean, got ${typeof value}`);
  }
  return value;
}

function searchResult(plugin: LoadedPlugin, value: unknown): { hits: unknown[]; total: number } {
  const result = value as { hits?: unknown; total?: unknown } | null;
  if (typeof result !== 'object' || result === null || !Array.isArray(result.hits) || typeof result.total !== 'number') {
    throw new PluginError('plugin.runtime.invalid_result', plugin.plugin, 'search', 'expected {hits: [], total: number}');
  }
  return { hits: result.hits, total: result.total };
}

function assertNever(task: never): never {
  throw new PluginError('plugin.runtime.malformed_message', 'kernel', `unknown task ${JSON.stringify(task)}`);
}
