/**
 * The HTTP app. This first version serves the server controller's health
 * and clock actions and answers everything else with Kuzzle's 404 envelope;
 * the full route table (auth, security) builds on the same envelope.
 */
import { Hono } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { Logger } from '../log.js';
import type { PluginHealth } from '../plugins/plugin-host.js';
import { failure, requestMeta, success } from './envelope.js';

export interface AppDependencies {
  log: Logger;
  pluginHealth(): Record<string, PluginHealth>;
  /** Throws if the kernel database cannot answer. */
  checkKernelDb(): void;
}

export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/_healthCheck', (c) => {
    const meta = requestMeta(c, 'server', 'healthCheck');
    const report = healthReport(deps);
    return success(c, meta, report, report.status === 'red' ? 503 : 200);
  });

  app.get('/_now', (c) => success(c, requestMeta(c, 'server', 'now'), { now: Date.now() }));

  app.notFound((c) => {
    const meta = requestMeta(c, null, null);
    return failure(c, meta, new PluginError('network.http.url_not_found', c.req.path.slice(0, 200)), deps.log);
  });

  app.onError((error, c) => failure(c, requestMeta(c, null, null), error, deps.log));

  return app;
}

/** green: all serving; yellow: a plugin failed or is backing off; red: the kernel database is down. */
function healthReport(deps: AppDependencies) {
  const plugins = deps.pluginHealth();
  let kernelDb: 'green' | 'red' = 'green';
  try {
    deps.checkKernelDb();
  } catch {
    kernelDb = 'red';
  }
  const degraded = Object.values(plugins).some((p) => p.status !== 'ready');
  const status = kernelDb === 'red' ? 'red' : degraded ? 'yellow' : 'green';
  return { status, services: { kernelDb }, plugins };
}
