/**
 * The HTTP app, generated from the route table: each action's routes, plus
 * `POST /_query` (a whole request in the body), CORS, a body size limit,
 * and Kuzzle's envelope on every answer, errors and 404s included.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import { Reply, type Action, type ApiRequest } from '../api/action.js';
import { execute } from '../api/pipeline.js';
import type { KernelServices } from '../api/services.js';
import type { TrustedProxies } from './client-address.js';
import { bareMeta, EnvelopeWriter, type CorsOrigins, type RequestMeta } from './envelope.js';
import { FixedPathRouter } from './fixed-path-router.js';
import { bodyReader } from './request-body.js';
import { jsonBody, queryArgs, requestBasics, volatileOf, type RequestBasics } from './request-parser.js';
import { orderedRoutes } from './route-order.js';

export interface HttpSettings {
  /** Largest request body accepted; more is 413 `network.http.request_too_large`. */
  maxRequestBytes: number;
  /** Origins browsers may call from; `*` for any. */
  corsOrigins: CorsOrigins;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; null for none. */
  trustedProxies: TrustedProxies | null;
}

export function createApp(actions: readonly Action[], services: KernelServices, settings: HttpSettings): Hono {
  const app = new Hono({ router: new FixedPathRouter() });
  const out = new EnvelopeWriter(settings.corsOrigins, services.log);
  const proxies = settings.trustedProxies;
  // Before the body limit: a preflight's answer never depends on its body. Other answers get their CORS headers from `out`.
  app.on('OPTIONS', '*', preflight(settings.corsOrigins));
  const readBody = bodyReader(settings.maxRequestBytes);
  // Every answer but a GET's or HEAD's reads the whole body first (@hono/node-server drops theirs):
  // one over the limit is a 413 before anything else is looked at, an unknown URL's too.
  const withBody =
    (handler: (c: Context, body: string) => Response | Promise<Response>) =>
    (c: Context): Promise<Response> =>
      readBody(c).then(
        (body) => handler(c, body),
        (error: unknown) => out.failure(c, bareMeta(), error),
      );
  // A GET route has no middleware at all: it takes hono's one-handler path, without compose(), and
  // runs without a promise (see serve()): an authenticated GET went from 23.5 to 18.9 µs of CPU (bench/requests).
  for (const { action, route } of orderedRoutes(actions)) {
    const handler = routeHandler(action, route.path, services, out, proxies);
    if (route.verb === 'get') app.get(route.path, (c) => handler(c, null));
    else app.on(route.verb.toUpperCase(), route.path, withBody(handler));
  }

  const byName = new Map(actions.map((action) => [`${action.controller}:${action.action}`, action]));
  const controllers = new Set(actions.map((action) => action.controller));
  app.post(
    '/_query',
    withBody((c, body) => {
      const meta = bareMeta();
      try {
        const query = jsonBody(c, body) ?? {};
        const { controller, action: name } = query;
        if (typeof controller !== 'string' || !controllers.has(controller)) throw new PluginError('api.process.controller_not_found', String(controller).slice(0, 100));
        const action = byName.get(`${controller}:${String(name)}`);
        if (action === undefined) throw new PluginError('api.process.action_not_found', controller, String(name).slice(0, 100));
        return serve(c, services, out, proxies, action, (basics) => queryRequest(basics, action, query));
      } catch (error) {
        return out.failure(c, meta, error);
      }
    }),
  );

  const notFound = (c: Context) => out.failure(c, bareMeta(), new PluginError('network.http.url_not_found', c.req.path.slice(0, 200)));
  const notFoundWithBody = withBody(notFound);
  app.notFound((c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? notFound(c) : notFoundWithBody(c)));
  app.onError((error, c) => out.failure(c, bareMeta(), error));
  return app;
}

/** One route of an action: its request is the path's parameters, the query string and the body (null for a GET). */
function routeHandler(
  action: Action,
  path: string,
  services: KernelServices,
  out: EnvelopeWriter,
  proxies: TrustedProxies | null,
): (c: Context, body: string | null) => Response | Promise<Response> {
  // Path parameters are read only where the path has some.
  const args = path.includes('/:') ? (c: Context) => ({ ...queryArgs(c), ...c.req.param() }) : queryArgs;
  return (c, body) =>
    serve(c, services, out, proxies, action, (basics) =>
      Object.assign(basics, { controller: action.controller, action: action.action, args: args(c), body: body === null ? null : jsonBody(c, body) }),
    );
}

/**
 * Parses, runs the pipeline, and answers with the envelope, whatever happens.
 * Without a promise unless the handler needs one: given a
 * Response rather than a promise, hono and @hono/node-server write it in the
 * same tick, with no promise or microtask of their own; an authenticated GET
 * went from 21.0 to 18.9 µs of CPU (bench/requests).
 */
function serve(
  c: Context,
  services: KernelServices,
  out: EnvelopeWriter,
  proxies: TrustedProxies | null,
  action: Action,
  parse: (basics: RequestBasics) => ApiRequest,
): Response | Promise<Response> {
  const basics = requestBasics(c, proxies);
  // Not bareMeta(): its fresh id would be thrown away.
  const meta: RequestMeta = { requestId: basics.requestId, controller: action.controller, action: action.action, volatile: null };
  const answer = (result: unknown) => (result instanceof Reply ? out.success(c, meta, result.result, result.status, result.headers) : out.success(c, meta, result));
  const fail = (error: unknown) => out.failure(c, meta, error);
  try {
    meta.volatile = volatileOf(c);
    const result = execute(action, parse(basics), services);
    // Any thenable, as `await` took one; answer() inside the catch, as it was inside the try.
    return isThenable(result) ? Promise.resolve(result).then(answer).catch(fail) : answer(result);
  } catch (error) {
    return fail(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** `POST /_query`: `{controller, action, body, jwt, ...args}`. */
function queryRequest(basics: RequestBasics, action: Action, query: JsonObject): ApiRequest {
  const { controller: _controller, action: _action, body, jwt, ...rest } = query;
  const args: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(rest)) if (name !== '__proto__') args[name] = value;
  // Completed in place: a spread would lose `headers`, a getter of the basics' class (request-parser.ts).
  return Object.assign(basics, {
    controller: action.controller,
    action: action.action,
    jwt: basics.jwt ?? (typeof jwt === 'string' && jwt !== '' ? jwt : null),
    args,
    body: typeof body === 'object' && body !== null && !Array.isArray(body) ? body : null,
  });
}

/** CORS preflights (OPTIONS, any path), answered by hono's cors() whatever the route. */
function preflight(origins: CorsOrigins): MiddlewareHandler {
  return cors({
    origin: origins,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Kuzzle-Volatile', 'X-Kuzzle-Request-Id'],
    // Browsers send cookies cross-origin (cookie mode) only if told credentials are fine; never with `*`.
    credentials: origins !== '*',
    maxAge: 600,
  });
}
