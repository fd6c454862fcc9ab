/**
 * The server controller: the public API description, health, the clock
 * and server information.
 */
import { defineAction, Reply, type Action } from '../action.js';
import { NODE_ID } from '../../http/envelope.js';
import { KERNEL_VERSION } from '../../version.js';
import { openApiDocument } from '../openapi.js';
import { publicApi } from '../public-api.js';

export function serverActions(): Action[] {
  return [
    defineAction({
      controller: 'server',
      action: 'publicApi',
      http: [{ verb: 'get', path: '/_publicApi' }],
      summary: 'Every action this server serves, with its HTTP routes (kuzzle-sdk routes from it)',
      handler: (_input, services) => publicApi(services.actions()),
    }),
    defineAction({
      controller: 'server',
      action: 'openapi',
      http: [{ verb: 'get', path: '/_openapi' }],
      summary: 'An OpenAPI 3.1 document of every route',
      handler: (_input, services) => openApiDocument(services.actions()),
    }),
    defineAction({
      controller: 'server',
      action: 'healthCheck',
      http: [{ verb: 'get', path: '/_healthCheck' }],
      summary: 'green: all serving; yellow: a plugin failed, is restarting or is backing off after repeated crashes; red: the kernel database is down (503)',
      handler: (_input, services) => {
        const report = services.health();
        return new Reply(report, report.status === 'red' ? 503 : 200);
      },
    }),
    defineAction({
      controller: 'server',
      action: 'now',
      http: [{ verb: 'get', path: '/_now' }],
      summary: 'The server clock, ms since the epoch',
      handler: () => ({ now: Date.now() }),
    }),
    defineAction({
      controller: 'server',
      action: 'info',
      http: [{ verb: 'get', path: '/_serverInfo' }],
      summary: 'Version, node id, strategies, plugins and API routes',
      handler: (_input, services) => ({
        serverInfo: {
          kuzzle: { version: KERNEL_VERSION, nodeId: NODE_ID, api: { routes: publicApi(services.actions()) } },
          portcullis: { version: KERNEL_VERSION, strategies: services.strategies.names(), plugins: services.health().plugins },
          services: {},
        },
      }),
    }),
  ];
}
