/**
 * What the HTTP benchmarks share: servers started as separate processes the
 * way a user starts them (`node dist/kernel/main.js` with environment
 * variables), a JSON client to set them up, one autocannon run, and the
 * results file.
 *
 * Loopback only: every server here listens on 127.0.0.1 and every request
 * goes there, for a bounded duration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const BOOT_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ServerProcess {
  url: string;
  pid: number;
  /** performance.now() just before the spawn, to time anything else from process start. */
  spawnedAt: number;
  /** Milliseconds from spawn to the first ready answer (as fine as the readiness poll: see {@link StartOptions}). */
  readyMs: number;
  /** CPU seconds (user + system, all threads) the process has used so far; NaN where /proc is missing. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A bench that throws must not leave servers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A Portcullis kernel with the bundled `local` plugin at bcrypt `cost`, in
 * fresh temp DATA_DIR and plugins.json. `nodeArgs` go before the script
 * (e.g. `--cpu-prof`); the profile is written when the kernel stops.
 */
export async function startKernel(options: { cost: number; nodeArgs?: string[] }): Promise<ServerProcess> {
  const temp = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-http-'));
  const pluginsConfig = join(temp, 'plugins.json');
  writeFileSync(pluginsConfig, JSON.stringify({ plugins: { local: { enabled: true, config: { cost: options.cost } } } }));
  const env = {
    DATA_DIR: join(temp, 'data'),
    PLUGINS_CONFIG: pluginsConfig,
    PLUGINS_DIR: join(ROOT, 'plugins'),
    LOG_LEVEL: 'warn',
  };
  const server = await startProcess([...(options.nodeArgs ?? []), join(ROOT, 'dist/kernel/main.js')], env, '/_now');
  return { ...server, stop: () => server.stop().finally(() => rmSync(temp, { recursive: true, force: true })) };
}

/** What {@link startKernelIn} runs against: the caller's data dir and plugins, kept when the kernel stops. */
export interface KernelSetup {
  dataDir: string;
  /** Path of plugins.json. */
  pluginsConfig: string;
  /** Folder holding one folder per plugin; the repository's plugins/ by default. */
  pluginsDir?: string;
  /** More environment variables (LOG_LEVEL is warn unless given). */
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/** A kernel on a given data dir and plugins.json (a restart, a seeded data dir); nothing is deleted when it stops. */
export function startKernelIn(setup: KernelSetup, start: StartOptions = {}): Promise<ServerProcess> {
  const env = {
    DATA_DIR: setup.dataDir,
    PLUGINS_CONFIG: setup.pluginsConfig,
    PLUGINS_DIR: setup.pluginsDir ?? join(ROOT, 'plugins'),
    LOG_LEVEL: 'warn',
    ...setup.env,
  };
  return startProcess([...(setup.nodeArgs ?? []), join(ROOT, 'dist/kernel/main.js')], env, '/_now', start);
}

/** The repository's own plugins.json and plugins/: what a user who just cloned it starts. */
export const DEFAULT_PLUGINS = { config: join(ROOT, 'plugins.json'), dir: join(ROOT, 'plugins') };

/** The baseline: a bare hono JSON route on @hono/node-server (bench/bare-server.mjs). */
export function startBare(start: StartOptions = {}): Promise<ServerProcess> {
  return startProcess([join(ROOT, 'bench/bare-server.mjs')], {}, '/', start);
}

/** How readiness is detected. */
export interface StartOptions {
  /**
   * `http` (default): an answer 200 on the ready path, asked every 100 ms.
   * `tcp`: the port accepting a connection, tried every 2 ms (a refused
   * connect on loopback answers at once), for cold-start timing.
   */
  probe?: 'http' | 'tcp';
}

/**
 * The peer: Better Auth on hono, email/password with bcrypt at `cost`, a
 * better-sqlite3 file in a fresh temp folder (bench/better-auth-server.mjs).
 * NODE_ENV=production, as a deployment runs it (the kernel reads no NODE_ENV).
 */
export async function startBetterAuth(options: { cost: number }): Promise<ServerProcess> {
  const temp = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-better-auth-'));
  const env = {
    BETTER_AUTH_DB: join(temp, 'better-auth.db'),
    BCRYPT_COST: String(options.cost),
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64'),
    NODE_ENV: 'production',
  };
  const server = await startProcess([join(ROOT, 'bench/better-auth-server.mjs')], env, '/api/auth/ok');
  return { ...server, stop: () => server.stop().finally(() => rmSync(temp, { recursive: true, force: true })) };
}

async function startProcess(args: string[], env: Record<string, string>, readyPath: string, start: StartOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code))));
  const url = `http://${HOST}:${port}`;
  if (start.probe === 'tcp') await waitListening(port, exited, () => stderr);
  else await waitReady(`${url}${readyPath}`, exited, () => stderr);
  const readyMs = performance.now() - spawnedAt;
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { url, pid: child.pid!, spawnedAt, readyMs, cpuSeconds: () => cpuSecondsOf(child.pid), stop };
}

/** Linux's clock ticks per second (`getconf CLK_TCK`), what /proc/<pid>/stat counts in. */
const CLOCK_TICKS = 100;

/**
 * utime + stime of a process from /proc/<pid>/stat. CPU per request is read
 * next to req/s: on a shared machine a neighbour lowers the rate, much less
 * what each request costs.
 */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** A port free on loopback now (the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => (dead = code));
  const end = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < end) {
    if (dead !== undefined) throw new Error(`server exited with ${dead} before serving: ${stderr().slice(-2000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not answer ${url} within ${BOOT_TIMEOUT_MS} ms`);
}

/** Waits until `port` accepts a TCP connection on loopback, trying every 2 ms. */
async function waitListening(port: number, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => (dead = code));
  const end = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < end) {
    if (dead !== undefined) throw new Error(`server exited with ${dead} before listening: ${stderr().slice(-2000)}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`server did not listen on port ${port} within ${BOOT_TIMEOUT_MS} ms`);
}

/** Resident memory of a process in MB (VmRSS of /proc/<pid>/status: every thread, isolates included). */
export function residentMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** A Kuzzle API call; answers `result`, throws with the error id on anything but 200. */
export async function api(base: string, method: string, path: string, options: { body?: unknown; jwt?: string } = {}): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
  const response = await fetch(`${base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const envelope = (await response.json()) as { result: Record<string, unknown>; error: { id: string; message: string } | null };
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${envelope.error?.id}: ${envelope.error?.message}`);
  return envelope.result;
}

/** Logs in with the local strategy; answers the token. */
export async function login(base: string, username: string, password: string): Promise<string> {
  return (await api(base, 'POST', '/_login/local', { body: { username, password } })).jwt as string;
}

/** The first admin, `admin`/`password`; answers its token. */
export async function firstAdmin(base: string, password: string): Promise<string> {
  await api(base, 'POST', '/_createFirstAdmin/admin', { body: { credentials: { local: { username: 'admin', password } } } });
  return login(base, 'admin', password);
}

/** Creates `count` users `bench-<i>` with the `default` profile, `inFlight` at a time. */
export async function createUsers(base: string, adminJwt: string, count: number, password: string, inFlight = 4): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `bench-${i}`);
  let next = 0;
  const lane = async () => {
    while (next < names.length) {
      const username = names[next++]!;
      const body = { content: { profileIds: ['default'] }, credentials: { local: { username, password } } };
      await api(base, 'POST', `/users/${username}/_create`, { body, jwt: adminJwt });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return names;
}

export interface Load {
  connections: number;
  /** How long to run; or `amount`. */
  seconds?: number;
  /**
   * How many requests to complete, spread evenly over the connections (a
   * multiple of `connections` keeps every connection busy to the end); the
   * rate is then `amount` over the time they took, exact to 10 ms.
   */
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh body per request (e.g. the next account); none for a GET. */
  body?: () => string;
}

/** One autocannon run against `url`; answers completed requests per second. Any non-2xx or error fails the bench. */
export async function requestsPerSecond(url: string, load: Load): Promise<number> {
  return (await loadRun(url, load)).rate;
}

/** {@link requestsPerSecond}, with the number of requests completed. */
export async function loadRun(url: string, load: Load): Promise<{ rate: number; requests: number }> {
  const { body } = load;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: load.connections,
    ...(load.amount === undefined ? { duration: load.seconds ?? 10 } : { amount: load.amount }),
    // autocannon ends a run on its next sample tick: every 10 ms, not every second, so an `amount` run's time is exact.
    sampleInt: 10,
    method: load.method ?? 'GET',
    headers: load.headers ?? {},
    timeout: 30,
    ...(body === undefined ? {} : { requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }] }),
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts out of ${result.requests.total}`);
  }
  const seconds = load.amount === undefined ? result.duration : (performance.now() - started) / 1000;
  return { rate: result.requests.total / seconds, requests: result.requests.total };
}
