/**
 * bench/memory: resident memory (VmRSS, every thread) of a kernel process
 * with no plugin, and with N plugins enabled, after boot, a little traffic
 * through every strategy and a short settle. Each plugin is its own isolate
 * (worker threads, `threads.min` of them started at boot, 1 by default), so
 *
 *   per isolate = (RSS with N plugins - RSS with none) / threads running
 *
 * taken from runs side by side (same run index). The N plugins are copies
 * of the minimal fixture (test/fixtures/plugins/minimal: no dependency, its
 * own namespace) under N names and strategies; the `local` plugin (zod,
 * passport; its common-password list is read at the first password its policy checks, which
 * this traffic does not do) is measured alone too. The baseline of
 * the kernel's own RSS is a bare node process serving one hono route
 * (bench/bare-server.mjs) after the same requests.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PLUGINS, residentMb, startBare, startKernelIn, type ServerProcess } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { pairedRatios, spread } from './stats.js';

const MINIMAL_FIXTURE = fileURLToPath(new URL('../test/fixtures/plugins/minimal', import.meta.url));
const TARGET_MB = 25;
/** Rounds of requests before measuring: each plugin's code paths (login, storage search) run, so their heap is counted. */
const ROUNDS = 20;

interface Setup {
  label: string;
  pluginsDir: string;
  /** Enabled plugin -> its strategy. */
  plugins: Record<string, { strategy: string; config: Record<string, unknown> }>;
}

interface Sample {
  rssMb: number;
  threads: number;
}

export async function memoryBench(options: BenchOptions): Promise<BenchSection> {
  const temp = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-memory-'));
  try {
    const counts = options.smoke ? [1] : [1, 4, 8];
    const setups: Setup[] = [
      { label: 'none', pluginsDir: DEFAULT_PLUGINS.dir, plugins: {} },
      ...counts.map((count) => minimalCopies(temp, count)),
      ...(options.smoke ? [] : [{ label: 'local', pluginsDir: DEFAULT_PLUGINS.dir, plugins: { local: { strategy: 'local', config: { cost: 10 } } } }]),
    ];
    const samples = new Map<string, Sample[]>(setups.map((setup) => [setup.label, []]));
    const bare: number[] = [];
    const settleMs = options.smoke ? 100 : 1000;
    for (let run = 0; run < options.runs; run++) {
      bare.push(await bareRss(settleMs));
      for (const setup of setups) samples.get(setup.label)!.push(await kernelSample(temp, setup, run, settleMs));
    }
    return section(setups, samples, bare, options);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** A plugins folder with `count` copies of the minimal fixture, `mem-1`..`mem-<count>`, each with its own strategy. */
function minimalCopies(temp: string, count: number): Setup {
  const pluginsDir = join(temp, `plugins-${count}`);
  const plugins: Setup['plugins'] = {};
  for (let i = 1; i <= count; i++) {
    const name = `mem-${i}`;
    cpSync(MINIMAL_FIXTURE, join(pluginsDir, name), { recursive: true });
    writeFileSync(join(pluginsDir, name, 'manifest.json'), JSON.stringify({ name, version: '1.0.0', kernelVersion: '>=0.1.0', main: 'index.js', strategies: [name] }));
    plugins[name] = { strategy: name, config: { strategy: name } };
  }
  return { label: `minimal x${count}`, pluginsDir, plugins };
}

async function kernelSample(temp: string, setup: Setup, run: number, settleMs: number): Promise<Sample> {
  const dir = join(temp, `${setup.label.replace(/\W+/g, '-')}-${run}`);
  const pluginsConfig = join(dir, 'plugins.json');
  const entries = Object.fromEntries(Object.entries(setup.plugins).map(([name, { config }]) => [name, { enabled: true, config }]));
  mkdirSync(dir, { recursive: true });
  writeFileSync(pluginsConfig, JSON.stringify({ plugins: entries }));
  // Failed logins are the traffic: no throttle, so every one reaches its plugin.
  const env = { LOGIN_IP_FAILURES: '0', LOGIN_ACCOUNT_FAILURES: '0' };
  const kernel = await startKernelIn({ dataDir: join(dir, 'data'), pluginsConfig, pluginsDir: setup.pluginsDir, env });
  try {
    const strategies = Object.values(setup.plugins).map((plugin) => plugin.strategy);
    for (let round = 0; round < ROUNDS; round++) {
      await expectAnswer(kernel, 'GET', '/_now');
      for (const strategy of strategies) {
        // Unknown users: each plugin searches its namespace (the local one also runs its dummy compare).
        const body = { username: `nobody-${round}`, password: 'not a password of anyone', login: `nobody-${round}`, secret: 'none' };
        await expectAnswer(kernel, 'POST', `/_login/${strategy}`, body);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const health = (await (await fetch(`${kernel.url}/_healthCheck`)).json()) as { result: { plugins: Record<string, { status: string; threads?: number }> } };
    let threads = 0;
    for (const [name, plugin] of Object.entries(health.result.plugins)) {
      if (plugin.status !== 'ready') throw new Error(`plugin ${name} is ${plugin.status}`);
      threads += plugin.threads ?? 0;
    }
    return { rssMb: residentMb(kernel.pid), threads };
  } finally {
    await kernel.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Any answer but a server error (a failed login is a 401: the traffic wanted). */
async function expectAnswer(server: ServerProcess, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  await response.arrayBuffer();
  if (response.status >= 500) throw new Error(`${method} ${path}: ${response.status}`);
}

async function bareRss(settleMs: number): Promise<number> {
  const bare = await startBare();
  try {
    for (let round = 0; round < ROUNDS; round++) await expectAnswer(bare, 'GET', '/');
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return residentMb(bare.pid);
  } finally {
    await bare.stop();
  }
}

function section(setups: Setup[], samples: Map<string, Sample[]>, bare: number[], options: BenchOptions): BenchSection {
  const none = samples.get('none')!.map((sample) => sample.rssMb);
  const noneFigure = { value: spread(none), unit: 'MB' };
  const rows: BenchRow[] = [
    {
      measure: 'kernel RSS, no plugin enabled',
      portcullis: noneFigure,
      baseline: { name: 'bare node + hono (RSS)', value: spread(bare), unit: 'MB' },
      ratio: pairedRatios(bare, none),
      detail: { runs: none, bareRuns: bare },
    },
  ];
  for (const setup of setups.slice(1)) {
    const runs = samples.get(setup.label)!;
    const perIsolate = runs.map((sample, i) => (sample.rssMb - none[i]!) / sample.threads);
    const value = spread(perIsolate);
    rows.push({
      measure: `RSS per isolate, ${setup.label === 'local' ? 'local plugin (the default)' : `${setup.label.replace('minimal x', '')} minimal plugin(s)`} (threads: ${runs.map((sample) => sample.threads).join('/')})`,
      portcullis: { value, unit: 'MB' },
      baseline: { name: 'kernel with no plugin (RSS)', ...noneFigure },
      target: `<= ${TARGET_MB} MB per isolate`,
      met: value.median <= TARGET_MB,
      detail: { rssMb: runs.map((sample) => sample.rssMb), threads: runs.map((sample) => sample.threads), noPluginRssMb: none },
    });
  }
  return {
    bench: 'memory',
    title: `VmRSS of the kernel process after boot, ${ROUNDS} rounds of requests through every strategy and a ${options.smoke ? 100 : 1000} ms settle; per isolate = (RSS(N plugins) - RSS(none)) / worker threads, paired by run; median of ${options.runs}${options.smoke ? ' [smoke]' : ''}`,
    rows,
  };
}
