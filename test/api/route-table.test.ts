/**
 * The route table as clients see it: every route of every action (the
 * kernel's and the booted plugins') is listed in /_publicApi (Kuzzle's
 * format, which kuzzle-sdk routes from) and in /_openapi, and is served by
 * that action; no two actions share a route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineAction, type Action } from '../../kernel/api/action.js';
import { intArg } from '../../kernel/api/input.js';
import { openApiDocument, openApiPath } from '../../kernel/api/openapi.js';
import { routeTable } from '../../kernel/api/route-table.js';
import { startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';
import { thrown } from '../helpers/thrown.js';

type Operation = Record<string, unknown> & { operationId: string; parameters: Array<{ name?: string; in?: string; required?: boolean }> };

describe('the route table', () => {
  let k: ApiKernel;
  let admin: string;
  let actions: Action[];
  const routes = () => actions.flatMap((action) => action.http.map((route) => ({ action, route })));

  beforeAll(async () => {
    // A plugin API beside the local plugin's: an action with two routes, one with a parameter.
    const api = { pets: { actions: { feed: { handler: 'echo', http: [{ verb: 'get', path: 'pets/:id/meals' }, { verb: 'post', path: 'pets/:id/_feed' }] } } } };
    k = await startApiKernel({ plugins: { zoo: { fixture: 'forged-api', config: { api } } } });
    admin = await k.firstAdmin();
    // The table the kernel built at boot: the kernel's actions and the booted plugins' APIs.
    actions = routeTable(k.kernel.plugins.apis());
  });
  afterAll(() => k.stop());

  it('has at least one route for every kernel action, and the local plugin routes', () => {
    expect(actions.filter((action) => !action.controller.includes('/') && action.http.length === 0)).toEqual([]);
    expect(actions.map((action) => `${action.controller}:${action.action}`)).toEqual(
      expect.arrayContaining(['auth:login', 'security:createUser', 'server:publicApi', 'local/password:reset', 'zoo/pets:feed']),
    );
  });

  it('lists every route in /_publicApi, in Kuzzle format, and nothing else', async () => {
    const answer = await k.call('GET', '/_publicApi', { jwt: admin });
    expect(answer.status).toBe(200);
    const expected: Record<string, Record<string, { http: Array<{ verb: string; url: string }> }>> = {};
    for (const action of actions) {
      (expected[action.controller] ??= {})[action.action] = { http: action.http.map((route) => ({ verb: route.verb.toUpperCase(), url: route.path })) };
    }
    expect(answer.body.result).toEqual(expected);
  });

  it('describes every route as one operation of /_openapi', async () => {
    const answer = await k.call('GET', '/_openapi', { jwt: admin });
    expect(answer.status).toBe(200);
    const document = answer.body.result as { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths).flatMap((byVerb) => Object.values(byVerb));
    expect(operations).toHaveLength(routes().length);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    for (const { action, route } of routes()) {
      const operation = document.paths[openApiPath(route.path)]?.[route.verb];
      const where = `${route.verb} ${route.path}`;
      expect(operation, where).toBeDefined();
      expect(operation!.operationId.startsWith(`${action.controller}:${action.action}`), where).toBe(true);
      expect(operation!.deprecated === true, where).toBe(route.deprecated === true);
      const right = action.openBeforeFirstAdmin ? undefined : `${action.controller}:${action.action}`;
      expect(operation!['x-portcullis-right'], where).toBe(right);
      const pathParams = operation!.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      expect(pathParams, where).toEqual([...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]));
    }
    expect(Object.keys(document.components.schemas!)).toEqual(expect.arrayContaining(['Envelope', 'SuccessEnvelope', 'ErrorEnvelope', 'KuzzleError']));
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      cookieAuth: { type: 'apiKey', in: 'cookie', name: 'authToken' },
    });
    // OpenAPI forbids two templated paths that differ only in parameter names.
    const shapes = Object.keys(document.paths).map((path) => path.replace(/\{[^}]*\}/g, '{}'));
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it('turns the zod schemas into parameters and bodies', async () => {
    const { paths } = (await k.call('GET', '/_openapi', { jwt: admin })).body.result as { paths: Record<string, Record<string, Operation & { requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> } }>> };
    const params = (operation: Operation | undefined) => operation!.parameters.filter((p) => p.name !== undefined).map(({ name, in: where, required }) => ({ name, in: where, required }));

    expect(params(paths['/_login/{strategy}']!.post)).toEqual([
      { name: 'strategy', in: 'path', required: true },
      { name: 'expiresIn', in: 'query', required: false },
      { name: 'cookieAuth', in: 'query', required: false },
    ]);
    expect(paths['/_login/{strategy}']!.post!.requestBody).toEqual({ required: false, content: { 'application/json': { schema: { type: 'object' } } } });
    expect(paths['/_login/{strategy}']!.get!.requestBody).toBeUndefined();
    expect(params(paths['/_logout']!.post)).toEqual([
      { name: 'global', in: 'query', required: false },
      { name: 'cookieAuth', in: 'query', required: false },
    ]);

    // `_id` is a path parameter where the route has one, a query argument where it does not.
    expect(params(paths['/users/_create']!.post).map((p) => `${p.in}:${p.name}`)).toEqual(['query:_id', 'query:kuid']);
    expect(params(paths['/users/{_id}/_create']!.post).map((p) => `${p.in}:${p.name}`)).toEqual(['path:_id', 'query:kuid']);
    const createUser = paths['/users/_create']!.post!.requestBody!;
    expect(createUser.required).toBe(true);
    expect(createUser.content['application/json']!.schema).toMatchObject({ type: 'object', required: ['content'] });

    expect(paths['/users/_me']!.get).toMatchObject({ deprecated: true, operationId: 'auth:getCurrentUser-2', description: expect.stringContaining('GET /_me') });
    expect(paths['/_me']!.get).toMatchObject({ operationId: 'auth:getCurrentUser', responses: { '200': expect.anything(), default: expect.anything() } });
    expect(paths['/_me']!.get!.deprecated).toBeUndefined();
    expect(paths['/_createFirstAdmin']!.post).toMatchObject({ 'x-portcullis-open-before-first-admin': true });
  });

  it('documents what JSON Schema cannot say as any value, and a transformed argument by its input', () => {
    type Tree = { children: Tree[] };
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ children: z.array(tree) }));
    const action = defineAction({
      controller: 'test',
      action: 'odd',
      http: [{ verb: 'post', path: '/odd/:when' }],
      summary: 'schemas zod cannot fully convert',
      args: z.object({ when: z.date(), size: intArg(1, 10) }),
      body: tree,
      handler: () => null,
    });
    const odd = openApiDocument([action]).paths['/odd/{when}']!.post as Operation;
    expect(odd.parameters.slice(0, 2)).toEqual([
      { name: 'when', in: 'path', required: true, schema: {} },
      { name: 'size', in: 'query', required: true, schema: { anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?\\d{1,15}$' }] } },
    ]);
    expect(odd.requestBody).toEqual({ required: true, content: { 'application/json': { schema: {} } } });
  });

  it('serves every route with its own action (never network.http.url_not_found)', async () => {
    const misrouted: string[] = [];
    for (const { action, route } of routes()) {
      // Anonymous, dummy parameters, no body: only routing is under test, and nothing changes.
      const path = route.path.replace(/:\w+/g, 'dummy');
      const { status, body, headers } = await k.call(route.verb.toUpperCase(), path);
      const served = `${body.controller}:${body.action}`;
      if (body.error?.id === 'network.http.url_not_found' || served !== `${action.controller}:${action.action}` || !headers.get('content-type')?.startsWith('application/json')) {
        misrouted.push(`${route.verb.toUpperCase()} ${path} -> ${status} ${served} ${body.error?.id ?? ''}`);
      }
    }
    expect(misrouted).toEqual([]);
  });

  it('serves every action through POST /_query', async () => {
    const missing: string[] = [];
    for (const action of actions) {
      const { body } = await k.call('POST', '/_query', { body: { controller: action.controller, action: action.action } });
      if (`${body.controller}:${body.action}` !== `${action.controller}:${action.action}`) missing.push(`${action.controller}:${action.action} -> ${body.error?.id}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('a duplicate route', () => {
  const api = (first: string, second: string, verb: 'get' | 'post' = 'get') => ({
    pets: { first: { http: [{ verb: 'get' as const, path: first }] }, second: { http: [{ verb, path: second }] } },
  });

  it('is refused by the route table, parameter names aside', () => {
    expect(thrown(() => routeTable({ zoo: api('pets/:id', 'pets/:name') }))).toMatchObject({
      id: 'network.http.duplicate_url',
      status: 500,
      message: 'Unable to attach URL GET /_/zoo/pets/:name (zoo/pets:first and zoo/pets:second): this path already exists.',
    });
    expect(thrown(() => routeTable({ zoo: api('pets', 'pets') }))).toMatchObject({ id: 'network.http.duplicate_url' });
  });

  it('is not a path reused with another verb, nor a fixed segment beside a parameter', () => {
    expect(routeTable({ zoo: api('pets/:id', 'pets/:id', 'post') }).filter((a) => a.controller === 'zoo/pets')).toHaveLength(2);
    expect(routeTable({ zoo: api('pets/:id', 'pets/all') }).filter((a) => a.controller === 'zoo/pets')).toHaveLength(2);
  });
  // A duplicate in a plugin's API stops the boot: test/api/plugin-actions.test.ts.
});
