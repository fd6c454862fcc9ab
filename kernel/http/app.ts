/**
 * The HTTP app, generated from the route table: each action's routes, plus
 * `POST /_query` (a whole request in the body), CORS, a body size limit,
 * and Kuzzle's envelope on every answer, errors and 404s included.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import { Reply, type Action, type ApiRequest } from '../api/action.js';
import { execute } from '../api/pipeline.js';
import type { KernelServices } from '../api/services.js';
import { bareMeta, failure, success, type RequestMeta } from './envelope.js';
import { jsonBody, queryArgs, requestBasics, volatileOf, type RequestBasics } from './request-parser.js';
import { orderedRoutes } from './route-order.js';

export interface HttpSettings {
  /** Largest request body accepted; more is 413 `network.http.request_too_large`. */
  maxRequestBytes: number;
  /** Origins browsers may call from; `*` for any. */
  corsOrigins: string[] | '*';
}

export function createApp(actions: readonly Action[], services: KernelServices, settings: HttpSettings): Hono {
  const app = new Hono();
  const log = services.log;
  app.use('*', corsHeaders(settings.corsOrigins));
  const limit = bodyLimit({
    maxSize: settings.maxRequestBytes,
    onError: (c) => failure(c, bareMeta(), new PluginError('network.http.request_too_large'), log),
  });
  // GET and HEAD carry no body (@hono/node-server drops one); asking hono's limit to
  // look would turn the light request into a full undici Request, on every read.
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));

  for (const { action, route } of orderedRoutes(actions)) {
    app.on(route.verb.toUpperCase(), route.path, (c) =>
      serve(c, services, action, async (basics) => ({ ...basics, controller: action.controller, action: action.action, args: { ...queryArgs(c), ...c.req.param() }, body: await jsonBody(c) })),
    );
  }

  const byName = new Map(actions.map((action) => [`${action.controller}:${action.action}`, action]));
  const controllers = new Set(actions.map((action) => action.controller));
  app.post('/_query', async (c) => {
    const meta = bareMeta();
    try {
      const query = (await jsonBody(c)) ?? {};
      const { controller, action: name } = query;
      if (typeof controller !== 'string' || !controllers.has(controller)) throw new PluginError('api.process.controller_not_found', String(controller).slice(0, 100));
      const action = byName.get(`${controller}:${String(name)}`);
      if (action === undefined) throw new PluginError('api.process.action_not_found', controller, String(name).slice(0, 100));
      return serve(c, services, action, (basics) => Promise.resolve(queryRequest(basics, action, query)));
    } catch (error) {
      return failure(c, meta, error, log);
    }
  });

  app.notFound((c) => failure(c, bareMeta(), new PluginError('network.http.url_not_found', c.req.path.slice(0, 200)), log));
  app.onError((error, c) => failure(c, bareMeta(), error, log));
  return app;
}

/** Parses, runs the pipeline, and answers with the envelope, whatever happens. */
async function serve(c: Context, services: KernelServices, action: Action, parse: (basics: RequestBasics) => Promise<ApiRequest>): Promise<Response> {
  const basics = requestBasics(c);
  const meta: RequestMeta = { ...bareMeta(action.controller, action.action), requestId: basics.requestId };
  try {
    meta.volatile = volatileOf(c);
    const result = await execute(action, await parse(basics), services);
    if (result instanceof Reply) return success(c, meta, result.result, result.status, result.headers);
    return success(c, meta, result);
  } catch (error) {
    return failure(c, meta, error, services.log);
  }
}

/** `POST /_query`: `{controller, action, body, jwt, ...args}`. */
function queryRequest(basics: RequestBasics, action: Action, query: JsonObject): ApiRequest {
  const { controller: _controller, action: _action, body, jwt, ...rest } = query;
  const args: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(rest)) if (name !== '__proto__') args[name] = value;
  return {
    ...basics,
    controller: action.controller,
    action: action.action,
    jwt: basics.jwt ?? (typeof jwt === 'string' && jwt !== '' ? jwt : null),
    args,
    body: typeof body === 'object' && body !== null && !Array.isArray(body) ? body : null,
  };
}

/**
 * CORS. Preflights (OPTIONS) go to hono's cors(); other answers get their
 * headers through c.header() before the handler runs. hono's cors() sets
 * them on `c.res` instead, which makes every answer a full Response that
 * @hono/node-server then streams, instead of writing the JSON string at once:
 * that doubled the cost of a small authenticated request.
 */
function corsHeaders(origins: string[] | '*'): MiddlewareHandler {
  const preflight = cors({
    origin: origins,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Kuzzle-Volatile', 'X-Kuzzle-Request-Id'],
    maxAge: 600,
  });
  return (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    if (origins === '*') {
      c.header('Access-Control-Allow-Origin', '*');
    } else {
      const origin = c.req.header('origin');
      if (origin !== undefined && origins.includes(origin)) c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    return next();
  };
}
