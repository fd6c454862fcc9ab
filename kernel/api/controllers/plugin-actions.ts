/**
 * Plugin API actions: what a plugin declares in its `api`, served as
 * Kuzzle serves plugin controllers: controller `<plugin>/<controller>`,
 * routes under `/_/<plugin>/`, rights checked like any action. The
 * description comes from an isolate, which may be compromised and bypass
 * the runtime's own checks: every part of it is checked again here, and
 * whatever is malformed (a bad verb, a `..` segment, a route that is not an
 * object) is left out rather than allowed to stop the boot. An action
 * left without routes is still served through `POST /_query`. Two routes
 * on one verb and path are refused by the route table (route-table.ts).
 * Every call is recorded in the audit log, as the action's declared `audit`
 * says (a credential or admin change), or as a pluginAction.
 */
import type { ApiDescription } from '@portcullis/sdk-plugin/protocol';
import { pluginActionAudit, type AuditType } from '../../audit/audited-actions.js';
import { defineAction, type Action, type HttpRoute, type Verb } from '../action.js';
import { objectSchema } from '../input.js';
import { pluginRequest } from '../plugin-request.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** Path segments: letters, digits, `_`, `-`, `.`, or a `:param`; never `..`. */
const SEGMENT = /^(:[A-Za-z_][A-Za-z0-9_]{0,63}|[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127})$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function pluginActions(apis: Record<string, ApiDescription>): Action[] {
  const actions: Action[] = [];
  for (const [plugin, api] of ownEntries(apis)) {
    for (const [controller, declared] of ownEntries(api)) {
      for (const [action, definition] of ownEntries(declared)) {
        if (!NAME.test(controller) || !NAME.test(action) || !isRecord(definition)) continue;
        const http = ownValue(definition, 'http');
        const routes = Array.isArray(http) ? http.flatMap((route: unknown) => routeOf(plugin, route)) : [];
        actions.push(pluginAction(plugin, controller, action, routes, pluginActionAudit(ownValue(definition, 'audit'))));
      }
    }
  }
  return actions;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own entries of an object; none for anything else. */
function ownEntries(value: unknown): Array<[string, unknown]> {
  return isRecord(value) ? Object.entries(value) : [];
}

/** An own property only: a prototype must not supply a value. */
function ownValue(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

function pluginAction(plugin: string, controller: string, action: string, http: HttpRoute[], audit: AuditType | null): Action {
  return defineAction({
    controller: `${plugin}/${controller}`,
    action,
    http,
    audit,
    summary: `Action "${action}" of plugin "${plugin}"`,
    body: objectSchema.optional(),
    handler: ({ body, request }, services) =>
      services.plugins.callAction(plugin, controller, action, { ...pluginRequest(request), controller, body: body ?? null }),
  });
}

function routeOf(plugin: string, route: unknown): HttpRoute[] {
  const verb = ownValue(route, 'verb');
  const path = ownValue(route, 'path');
  if (typeof verb !== 'string' || !VERBS.has(verb) || typeof path !== 'string') return [];
  const segments = path.replace(/^\/+/, '').split('/');
  if (segments.length > 16 || !segments.every((segment) => SEGMENT.test(segment))) return [];
  return [{ verb: verb as Verb, path: `/_/${plugin}/${segments.join('/')}` }];
}
