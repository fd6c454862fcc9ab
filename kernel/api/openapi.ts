/**
 * The OpenAPI document, generated from the route table.
 * (Placeholder shape until the full generator lands: one operation per route.)
 */
import type { Action } from './action.js';

export function openApiDocument(actions: readonly Action[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const action of actions) {
    for (const route of action.http) {
      const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      (paths[path] ??= {})[route.verb] = { operationId: `${action.controller}:${action.action}`, summary: action.summary, deprecated: route.deprecated ?? false };
    }
  }
  return { openapi: '3.1.0', info: { title: 'Portcullis', version: '1' }, paths };
}
