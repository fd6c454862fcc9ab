/**
 * The kernel's lifecycle as explicit phases, each timed and logged:
 * read config -> secret -> kernel database -> plugins (manifests, isolates,
 * handshake, strategies) -> routes; `listen()` last. `stop()` runs them in
 * reverse and drains in-flight requests.
 *
 * The HTTP side's modules (hono, the API's actions and schemas: about 60 ms
 * of loading on this class of machine, a sixth of a cold start) are
 * imported while the isolates boot, on their own threads, instead of
 * before: the main thread mostly waits for them then.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { KernelConfig } from './config/kernel-config.js';
import { loadKernelSecret, type KernelSecret } from './config/kernel-secret.js';
import { enabledPlugins, loadPluginsConfig, type PluginsConfig } from './config/plugins-config.js';
import type { Action } from './api/action.js';
import { AuditLog } from './audit/audit-log.js';
import type { HealthReport, KernelServices } from './api/services.js';
import { PasswordService } from './host/password-service.js';
import { TrustedProxies } from './http/client-address.js';
import type { Logger } from './log.js';
import { PluginHost } from './plugins/plugin-host.js';
import { CreationJournal } from './security/creation-journal.js';
import { CredentialLedger } from './security/credential-ledger.js';
import { LedgerSettlement, type LedgerHealth, type LedgerRetry } from './security/ledger-settlement.js';
import { RequestRate } from './security/request-rate.js';
import { RightsStore } from './security/rights-store.js';
import { standardProfiles, standardRoles } from './security/rights.js';
import { UserStore } from './security/user-store.js';
import { openKernelDb, type KernelDb } from './storage/kernel-db.js';
import { TokenStore } from './tokens/token-store.js';
import { KERNEL_VERSION } from './version.js';

export interface KernelOptions {
  config: KernelConfig;
  log: Logger;
  /** Lowest bcrypt cost plugins may ask for; only tests lower it. */
  minPasswordCost?: number;
  /** Delays of the credential ledger's background passes; only tests change them. */
  ledgerRetry?: LedgerRetry;
}

/** In-flight requests get this long to finish at shutdown before their sockets are closed. */
const DRAIN_TIMEOUT_MS = 10_000;
/** While draining, connections whose requests are answered are closed this often (their clients keep them for seconds). */
const IDLE_SWEEP_MS = 50;
/** Expired token rows and audit events past their retention are deleted this often (this keeps the tables small). */
const SWEEP_MS = 10 * 60_000;

export class Kernel {
  readonly app: Hono;
  readonly plugins: PluginHost;
  readonly secret: KernelSecret;
  readonly #db: KernelDb;
  readonly #log: Logger;
  readonly #config: KernelConfig;
  readonly #sweep: NodeJS.Timeout;
  readonly #settlement: LedgerSettlement;
  readonly #serve: HttpLayer['serve'];
  #server: ServerType | null = null;

  private constructor(parts: {
    app: Hono;
    plugins: PluginHost;
    secret: KernelSecret;
    db: KernelDb;
    log: Logger;
    config: KernelConfig;
    tokens: TokenStore;
    audit: AuditLog;
    settlement: LedgerSettlement;
    serve: HttpLayer['serve'];
  }) {
    this.app = parts.app;
    this.plugins = parts.plugins;
    this.secret = parts.secret;
    this.#db = parts.db;
    this.#log = parts.log;
    this.#config = parts.config;
    this.#settlement = parts.settlement;
    this.#serve = parts.serve;
    this.#sweep = setInterval(() => {
      parts.tokens.sweepExpired();
      parts.audit.sweep();
    }, SWEEP_MS).unref();
  }

  static async start({ config, log, minPasswordCost, ledgerRetry }: KernelOptions): Promise<Kernel> {
    const phase = phaseTimer(log);
    const pluginsConfig = phase('read config', () => loadPluginsConfig(config.pluginsConfig));
    phase('data dir', () => prepareDataDir(config.dataDir, log));
    const secret = await phase('kernel secret', () => loadKernelSecret(config.dataDir, config.kernelSecret, (m) => log.warn(m)));
    const db = phase('kernel database', () => openKernelDb(join(config.dataDir, 'kernel.sqlite')));
    let started: PluginHost | undefined;
    let settlement: LedgerSettlement | undefined;
    try {
      const tokens = new TokenStore(db, secret.key);
      tokens.sweepExpired();
      const audit = new AuditLog(db, { retentionMs: config.auditRetentionMs, maxFailures: config.auditMaxFailures, log });
      audit.sweep();
      const users = new UserStore(db);
      const ledger = new CredentialLedger(db);
      const creations = new CreationJournal(db);
      const rightsStore = phase('rights', () => new RightsStore(db, { roles: standardRoles(publicActions(pluginsConfig)), profiles: standardProfiles() }, reservedProfiles(config, pluginsConfig)));
      const booting = phase('plugins', () =>
        PluginHost.start({
          plugins: pluginsConfig,
          pluginsDir: config.pluginsDir,
          dataDir: config.dataDir,
          kernelVersion: KERNEL_VERSION,
          passwords: new PasswordService(minPasswordCost),
          users,
          ledger,
          tokens,
          profileExists: (id) => rightsStore.rights.hasProfile(id),
          audit,
          db,
          log,
        }),
      );
      const http = loadHttpLayer();
      // Awaited after the plugins: if they fail first, this must not be an unhandled rejection.
      http.catch(() => undefined);
      const plugins = await booting;
      started = plugins;
      const { createApp, routeTable, LoginThrottle, serve } = await http;
      // Before listening: no login may see a creation a crash interrupted. What a plugin failed is tried again in the background.
      const newNamespace = (plugin: string) => plugins.newNamespace(plugin);
      const settling = new LedgerSettlement({ ledger, creations, users, strategies: plugins.registry, tokens, log, newNamespace }, ledgerRetry);
      settlement = settling;
      await phase('credential ledger', () => settling.settle());
      plugins.onThreadReady(() => settling.pluginReady());
      const app = phase('routes', () => {
        const actions = routeTable(plugins.apis());
        const services: KernelServices = {
          users,
          tokens,
          strategies: plugins.registry,
          ledger,
          creations,
          plugins,
          get rights() {
            return rightsStore.rights;
          },
          rightsStore,
          requestRate: new RequestRate(),
          audit,
          loginThrottle: new LoginThrottle({
            accountFailures: config.loginAccountFailures,
            accountWindowMs: config.loginAccountWindowMs,
            ipFailures: config.loginIpFailures,
            ipWindowMs: config.loginIpWindowMs,
          }),
          settings: {
            tokenTtlMs: config.tokenTtlMs,
            tokenMaxTtlMs: config.tokenMaxTtlMs,
            apiKeyMaxTtlMs: config.apiKeyMaxTtlMs,
            restrictedProfileIds: config.restrictedProfileIds,
            cookieSecure: config.cookieSecure,
          },
          log,
          actions: (): readonly Action[] => actions,
          health: () => healthReport(plugins, db, settling.health()),
        };
        const trustedProxies = config.trustedProxies.length === 0 ? null : new TrustedProxies(config.trustedProxies);
        return createApp(actions, services, { maxRequestBytes: config.maxRequestBytes, corsOrigins: config.corsOrigins, trustedProxies });
      });
      return new Kernel({ app, plugins, secret, db, log, config, tokens, audit, settlement: settling, serve });
    } catch (error) {
      // A stored role refused, or a route table refused (duplicate_url): no isolate left running, no database left open.
      const settled = settlement?.stop();
      await started?.stop();
      await settled;
      db.close();
      throw error;
    }
  }

  /** Starts serving; resolves with the URL once the socket listens. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const server = this.#serve({ fetch: this.app.fetch, port: this.#config.port, hostname: this.#config.host }, (info: AddressInfo) => {
        const url = `http://${this.#config.host}:${info.port}`;
        this.#log.info(`listening on ${url}`);
        resolve(url);
      });
      server.once('error', reject);
      this.#server = server;
    });
  }

  /** Stops accepting, drains in-flight requests, stops isolates, closes databases. */
  async stop(): Promise<void> {
    const phase = phaseTimer(this.#log);
    await phase('drain http', () => this.#closeServer());
    clearInterval(this.#sweep);
    // No new pass; a pass under way ends once the plugins it waits on are stopped.
    const settled = this.#settlement.stop();
    await phase('stop plugins', () => this.plugins.stop());
    await settled;
    phase('close kernel database', () => this.#db.close());
    this.#log.info('stopped');
  }

  #closeServer(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return Promise.resolve();
    const connections = server as { closeAllConnections?: () => void; closeIdleConnections?: () => void };
    return new Promise((resolve) => {
      const force = setTimeout(() => connections.closeAllConnections?.(), DRAIN_TIMEOUT_MS);
      // Idle keep-alive sockets would hold close() open until they time out (seconds), and a socket
      // whose last request is answered while draining becomes idle only then: closed as it does.
      const idle = setInterval(() => connections.closeIdleConnections?.(), IDLE_SWEEP_MS);
      server.close(() => {
        clearTimeout(force);
        clearInterval(idle);
        resolve();
      });
      connections.closeIdleConnections?.();
    });
  }
}

/** What serving HTTP needs beyond the kernel's own parts (see the file's comment). */
async function loadHttpLayer() {
  const [{ createApp }, { routeTable }, { LoginThrottle }, { serve }] = await Promise.all([
    import('./http/app.js'),
    import('./api/route-table.js'),
    import('./api/login-throttle.js'),
    import('@hono/node-server'),
  ]);
  return { createApp, routeTable, LoginThrottle, serve };
}

type HttpLayer = Awaited<ReturnType<typeof loadHttpLayer>>;

/** Profiles that must not be deleted while something may still give them to new users. */
function reservedProfiles(config: KernelConfig, plugins: PluginsConfig): string[] {
  return [...config.restrictedProfileIds, ...enabledPlugins(plugins).flatMap(([, settings]) => settings.allowedProfiles)];
}

/** Plugin actions opened to everyone in plugins.json, as `<plugin>/<controller>:<action>` rights. */
function publicActions(config: PluginsConfig): string[] {
  return enabledPlugins(config).flatMap(([name, settings]) => settings.publicActions.map((action) => `${name}/${action}`));
}

/** green: all serving; yellow: a plugin failed or is backing off, or the credential ledger is incomplete; red: the kernel database is down. */
function healthReport(plugins: PluginHost, db: KernelDb, ledger: LedgerHealth): HealthReport {
  const report = plugins.health();
  let kernelDb: 'green' | 'red' = 'green';
  try {
    db.prepare('SELECT 1').get();
  } catch {
    kernelDb = 'red';
  }
  const degraded = Object.values(report).some((p) => p.status !== 'ready') || ledger.status !== 'complete';
  return { status: kernelDb === 'red' ? 'red' : degraded ? 'yellow' : 'green', services: { kernelDb }, plugins: report, ledger };
}

/**
 * DATA_DIR holds every credential database; SQLite creates its files with
 * the process umask (often 0644), so the folder is what keeps them private:
 * created 0700, and tightened to 0700 (with a warning) if found open.
 */
function prepareDataDir(dataDir: string, log: Logger): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    chmodSync(dataDir, 0o700);
    log.warn(`DATA_DIR ${dataDir} was open to other users (mode ${mode.toString(8)}); set to 700`);
  }
}

/** Runs a boot or shutdown phase and logs how long it took. */
function phaseTimer(log: Logger) {
  function phase<T>(name: string, run: () => T): T {
    const started = performance.now();
    const done = () => log.info({ phase: name, ms: Math.round(performance.now() - started) }, `${name} done`);
    const result = run();
    if (result instanceof Promise) return result.then((value: unknown) => (done(), value)) as T;
    done();
    return result;
  }
  return phase;
}
