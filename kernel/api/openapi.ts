/**
 * The OpenAPI 3.1 document (`GET /_openapi`), generated from the route
 * table: one operation per HTTP route, its parameters and body from the
 * action's zod schemas (as JSON Schema 2020-12, which OpenAPI 3.1 uses),
 * Kuzzle's envelope as every response, and the right a caller needs.
 */
import * as z from 'zod';
import { KERNEL_VERSION } from '../version.js';
import type { Action, HttpRoute } from './action.js';
import { objectSchema } from './input.js';
import { COMMON_PARAMETERS, COMPONENTS, RESPONSES } from './openapi-components.js';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };

const PATH_PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** The table is fixed after boot: build its document once. */
const built = new WeakMap<readonly Action[], OpenApiDocument>();

export function openApiDocument(actions: readonly Action[]): OpenApiDocument {
  let document = built.get(actions);
  if (document === undefined) {
    document = buildDocument(actions);
    built.set(actions, document);
  }
  return document;
}

function buildDocument(actions: readonly Action[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const action of actions) {
    const schemas = { args: toJsonSchema(action.argsSchema), body: toJsonSchema(action.bodySchema) };
    action.http.forEach((route, index) => {
      const operationId = uniqueId(`${action.controller}:${action.action}`, index, operationIds);
      (paths[openApiPath(route.path)] ??= {})[route.verb] = operation(action, route, operationId, schemas);
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Portcullis',
      version: KERNEL_VERSION,
      description: "Kuzzle's auth, security and server API. Every answer is Kuzzle's envelope; `POST /_query` also takes any action as `{controller, action, body, jwt, ...args}`.",
    },
    tags: [...new Set(actions.map((action) => action.controller))].sort().map((name) => ({ name })),
    // A token is optional: what an anonymous caller may do is up to the anonymous role.
    security: [{ bearerAuth: [] }, { cookieAuth: [] }, {}],
    paths,
    components: COMPONENTS,
  };
}

/** `/users/:_id/_update` -> `/users/{_id}/_update`. */
export function openApiPath(path: string): string {
  return path.replace(PATH_PARAM, '{$1}');
}

function operation(action: Action, route: HttpRoute, operationId: string, schemas: { args?: JsonSchema; body?: JsonSchema }): Operation {
  const preferred = action.http.find((other) => !other.deprecated);
  return {
    operationId,
    summary: action.summary,
    tags: [action.controller],
    ...(route.deprecated && {
      deprecated: true,
      ...(preferred && { description: `Kept for older clients; use ${preferred.verb.toUpperCase()} ${preferred.path}.` }),
    }),
    parameters: [...parameters(route.path, schemas.args), ...COMMON_PARAMETERS],
    // A body on GET has no defined meaning in HTTP; Kuzzle clients send those fields in the query string.
    ...(schemas.body && route.verb !== 'get' && { requestBody: requestBody(action, schemas.body) }),
    responses: RESPONSES,
    ...(action.openBeforeFirstAdmin
      ? { 'x-portcullis-open-before-first-admin': true }
      : { 'x-portcullis-right': `${action.controller}:${action.action}` }),
  };
}

/** Path parameters from the route, query parameters from the rest of the args schema. */
function parameters(path: string, args: JsonSchema | undefined): JsonSchema[] {
  const properties = (args?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((args?.required ?? []) as string[]);
  const inPath = [...path.matchAll(PATH_PARAM)].map((match) => match[1]!);
  return [
    ...inPath.map((name) => ({ name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' } })),
    ...Object.entries(properties)
      .filter(([name]) => !inPath.includes(name))
      .map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema })),
  ];
}

function requestBody(action: Action, schema: JsonSchema) {
  // Optional where the action accepts no body at all (an empty body is valid JSON input for it).
  const required = action.bodySchema?.safeParse(undefined).success !== true;
  return { required, content: { 'application/json': { schema } } };
}

/**
 * A zod schema as JSON Schema, as a client must send it (`io: 'input'`:
 * before transforms). What JSON Schema cannot say (a custom check, a
 * transform's output) becomes "any value"; a schema zod cannot convert at
 * all (a recursive one) is documented as "any value" rather than breaking
 * the whole document.
 */
function toJsonSchema(schema: z.ZodType | undefined): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  try {
    const { $schema: _dialect, ...converted } = z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      cycles: 'throw',
      reused: 'inline',
      // A custom check has no JSON Schema; this one's meaning does.
      override: (context) => {
        if (context.zodSchema === objectSchema) context.jsonSchema.type = 'object';
      },
    });
    // `$defs` refs are relative to the schema's root, which is not the document's root here.
    return '$defs' in converted ? {} : converted;
  } catch {
    return {};
  }
}

/** `controller:action` for an action's first route, then `controller:action-2`, ... (never a repeat). */
function uniqueId(base: string, index: number, taken: Set<string>): string {
  let n = index + 1;
  let id = index === 0 ? base : `${base}-${n}`;
  while (taken.has(id)) id = `${base}-${++n}`;
  taken.add(id);
  return id;
}
