/**
 * Validates a plugin's `api` (Kuzzle's format): controllers, their actions,
 * each action's handler and HTTP routes. The kernel serves an action as
 * controller `<plugin>/<controller>` at `/_/<plugin>/<path>`, with rights
 * checked like any action; here the runtime only checks and binds.
 *
 * @example
 * ```ts
 * this.api = { password: { actions: { reset: { handler: 'resetPassword', http: [{ verb: 'post', path: 'password/reset' }] } } } };
 * ```
 */
import { PluginError } from '../errors.js';
import type { ActionAudit, ActionRequest, ActionRoute, ApiDescription } from '../protocol.js';
import { findPluginFunction, isFunction, isObject, own, type PluginFunction } from './plugin-lookup.js';

export interface ValidatedAction {
  handler: (request: ActionRequest) => unknown;
  http: ActionRoute[];
  audit?: ActionAudit;
}
export type ValidatedApi = Map<string, Map<string, ValidatedAction>>;

const CONTROLLER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const ACTION_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const VERBS = new Set<ActionRoute['verb']>(['get', 'post', 'put', 'patch', 'delete']);
const ROUTE_PATH = /^[A-Za-z0-9_\-.:/]{1,256}$/;
const AUDITS = new Set<unknown>(['credentialChange', 'adminChange', 'none'] satisfies ActionAudit[]);

export function validateApi(pluginName: string, plugin: object): ValidatedApi {
  const api = own(plugin as Record<string, unknown>, 'api');
  const validated: ValidatedApi = new Map();
  if (api === undefined || api === null) return validated;
  if (!isObject(api)) throw new PluginError('plugin.assert.invalid_controller_definition', 'api', 'expected an object of controllers');
  for (const [controller, definition] of Object.entries(api)) {
    if (!CONTROLLER_NAME.test(controller)) {
      throw new PluginError('plugin.assert.invalid_controller_definition', controller, 'controller names are lower-case letters, digits, "_" and "-"');
    }
    const actions = isObject(definition) ? own(definition, 'actions') : undefined;
    if (!isObject(actions)) throw new PluginError('plugin.assert.invalid_controller_definition', controller, 'expected {actions: {...}}');
    validated.set(controller, validateActions(pluginName, plugin, controller, actions));
  }
  return validated;
}

function validateActions(pluginName: string, plugin: object, controller: string, actions: Record<string, unknown>): Map<string, ValidatedAction> {
  const validated = new Map<string, ValidatedAction>();
  for (const [action, definition] of Object.entries(actions)) {
    if (!ACTION_NAME.test(action)) {
      throw new PluginError('plugin.assert.invalid_controller_definition', controller, `invalid action name ${JSON.stringify(action).slice(0, 70)}`);
    }
    const handler = isObject(definition) ? resolveHandler(plugin, own(definition, 'handler')) : undefined;
    if (handler === undefined) throw new PluginError('plugin.controller.invalid_action', `[${pluginName}]`, `${controller}:${action}`, '');
    const http = own(definition as Record<string, unknown>, 'http') ?? [];
    const audit = own(definition as Record<string, unknown>, 'audit');
    if (audit !== undefined && !AUDITS.has(audit)) {
      throw new PluginError('plugin.assert.invalid_controller_definition', controller, `action ${action}: audit must be one of ${[...AUDITS].join(', ')}`);
    }
    validated.set(action, { handler: handler.bind(plugin), http: validateRoutes(pluginName, http), ...(audit === undefined ? {} : { audit: audit as ActionAudit }) });
  }
  return validated;
}

function resolveHandler(plugin: object, handler: unknown): PluginFunction | undefined {
  if (typeof handler === 'string') return findPluginFunction(plugin, handler);
  return isFunction(handler) ? handler : undefined;
}

function validateRoutes(pluginName: string, http: unknown): ActionRoute[] {
  const prefix = `[${pluginName}]`;
  if (!Array.isArray(http)) throw new PluginError('plugin.controller.invalid_route_property', prefix, 'http');
  return http.map((route: unknown) => {
    if (!isObject(route)) throw new PluginError('plugin.controller.invalid_route_property', prefix, 'http');
    const unexpected = Object.keys(route).find((key) => key !== 'verb' && key !== 'path');
    if (unexpected !== undefined) throw new PluginError('plugin.controller.unexpected_route_property', prefix, unexpected, '');
    const verb = typeof route.verb === 'string' ? route.verb.toLowerCase() : '';
    if (!VERBS.has(verb as ActionRoute['verb'])) throw new PluginError('plugin.controller.unsupported_verb', prefix, [...VERBS].join(', '), '');
    const path = typeof route.path === 'string' ? route.path.replace(/^\/+/, '') : '';
    if (!ROUTE_PATH.test(path)) throw new PluginError('plugin.controller.invalid_route_property', prefix, 'path');
    return { verb: verb as ActionRoute['verb'], path };
  });
}

export function describeApi(api: ValidatedApi): ApiDescription {
  const description: ApiDescription = {};
  for (const [controller, actions] of api) {
    description[controller] = Object.fromEntries([...actions].map(([action, { http, audit }]) => [action, audit === undefined ? { http } : { http, audit }]));
  }
  return description;
}
