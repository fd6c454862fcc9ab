/**
 * Plugin API actions: what a plugin declares in its `api`, served as
 * Kuzzle serves plugin controllers: controller `<plugin>/<controller>`,
 * routes under `/_/<plugin>/`, rights checked like any action. The
 * description comes from an isolate, so routes are checked again here.
 */
import type { ActionRoute, ApiDescription } from '@portcullis/sdk-plugin/protocol';
import { defineAction, type Action, type HttpRoute } from '../action.js';
import { objectSchema } from '../input.js';
import { pluginRequest } from '../plugin-request.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** Path segments: letters, digits, `_`, `-`, `.`, or a `:param`; never `..`. */
const SEGMENT = /^(:[A-Za-z_][A-Za-z0-9_]{0,63}|[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127})$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function pluginActions(apis: Record<string, ApiDescription>): Action[] {
  const actions: Action[] = [];
  for (const [plugin, api] of Object.entries(apis)) {
    for (const [controller, declared] of Object.entries(api)) {
      for (const [action, { http }] of Object.entries(declared)) {
        if (!NAME.test(controller) || !NAME.test(action)) continue;
        actions.push(pluginAction(plugin, controller, action, http.flatMap((route) => routeOf(plugin, route))));
      }
    }
  }
  return actions;
}

function pluginAction(plugin: string, controller: string, action: string, http: HttpRoute[]): Action {
  return defineAction({
    controller: `${plugin}/${controller}`,
    action,
    http,
    summary: `Action "${action}" of plugin "${plugin}"`,
    body: objectSchema.optional(),
    handler: ({ body, request }, services) =>
      services.plugins.callAction(plugin, controller, action, { ...pluginRequest(request), controller, body: body ?? null }),
  });
}

function routeOf(plugin: string, route: ActionRoute): HttpRoute[] {
  const segments = String(route.path).replace(/^\/+/, '').split('/');
  if (!VERBS.has(route.verb) || segments.length > 16 || !segments.every((segment) => SEGMENT.test(segment))) return [];
  return [{ verb: route.verb, path: `/_/${plugin}/${segments.join('/')}` }];
}
