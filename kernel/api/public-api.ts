/**
 * `server:publicApi`'s answer, generated from the route table:
 * `{controller: {action: {http: [{verb, url}]}}}`, the format kuzzle-sdk
 * builds its HTTP routing from at connect.
 */
import type { Action } from './action.js';

export type PublicApi = Record<string, Record<string, { http: Array<{ verb: string; url: string }> }>>;

export function publicApi(actions: readonly Action[]): PublicApi {
  const api: PublicApi = {};
  for (const action of actions) {
    (api[action.controller] ??= {})[action.action] = {
      http: action.http.map((route) => ({ verb: route.verb.toUpperCase(), url: route.path })),
    };
  }
  return api;
}
