/**
 * bench/scale: does the size of the local namespace slow the per-user
 * paths? Two kernel processes side by side, one on 1,000 users and one on
 * 1,000,000 (smoke: 1,000 vs 10,000), both seeded by bench/seed-users.ts
 * from one user created through the API (bcrypt cost 10; the admin and that
 * user come on top of the seeded count). Each run measures,
 * taking turns call by call (alternating which goes first):
 * - login p50: sequential `POST /_login/local` of random seeded users;
 * - `_exists` p50: sequential `GET /credentials/local/<kuid>/_exists`
 *   (admin token) of random seeded kuids;
 * with the same random positions in both namespaces, spread over the whole
 * range (not the first users), so the indexes are what is measured. The
 * target: the large namespace's p50 within 10% of the small one's.
 * Also reported: the seeding time, boot to listening and the data dir's size.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { api, firstAdmin, login, startKernelIn, type KernelSetup, type ServerProcess } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { seededKuid, seededUsername, seedUsers } from './seed-users.js';
import { pairedRatios, spread, type Spread } from './stats.js';

const PASSWORD = 'correct horse battery staple';
const TEMPLATE = 'template';
const TARGET = 1.1;

interface Namespace {
  users: number;
  setup: KernelSetup;
  seedMs: number;
  kernel?: ServerProcess;
  adminJwt?: string;
}

interface Sample {
  loginP50: number;
  existsP50: number;
}

export async function scaleBench(options: BenchOptions): Promise<BenchSection> {
  const sizes = options.smoke ? [1_000, 10_000] : [1_000, 1_000_000];
  const logins = options.smoke ? 5 : 40;
  const exists = options.smoke ? 50 : 1000;
  const temp = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-scale-'));
  const pluginsConfig = join(temp, 'plugins.json');
  writeFileSync(pluginsConfig, JSON.stringify({ plugins: { local: { enabled: true, config: { cost: 10 } } } }));
  const namespaces: Namespace[] = [];
  try {
    const template = join(temp, 'template');
    await prepareTemplate({ dataDir: template, pluginsConfig, nodeArgs: options.kernelNodeArgs });
    for (const users of sizes) {
      const setup = { dataDir: join(temp, `users-${users}`), pluginsConfig, nodeArgs: options.kernelNodeArgs };
      cpSync(template, setup.dataDir, { recursive: true });
      namespaces.push({ users, setup, seedMs: seedUsers(setup.dataDir, users, TEMPLATE).ms });
    }
    const boots = new Map<number, number[]>(sizes.map((users) => [users, []]));
    const samples = new Map<number, Sample[]>(sizes.map((users) => [users, []]));
    for (let run = 0; run < options.runs; run++) {
      // Each run boots both kernels again: boot time is a figure, and no run inherits another's caches.
      for (const namespace of namespaces) {
        namespace.kernel = await startKernelIn(namespace.setup, { probe: 'tcp' });
        boots.get(namespace.users)!.push(namespace.kernel.readyMs);
        namespace.adminJwt = await login(namespace.kernel.url, 'admin', PASSWORD);
        await checkLastUser(namespace);
      }
      const measured = await measure(namespaces, randomPositions(run, Math.max(logins, exists)), logins, exists);
      namespaces.forEach((namespace, i) => samples.get(namespace.users)!.push(measured[i]!));
      for (const namespace of namespaces) await namespace.kernel?.stop();
    }
    return section(namespaces, boots, samples, dataDirMb(namespaces), options, { logins, exists });
  } finally {
    for (const namespace of namespaces) await namespace.kernel?.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

/** First boot, first admin and the one user every seeded user is cloned from, created through the API. */
async function prepareTemplate(setup: KernelSetup): Promise<void> {
  const kernel = await startKernelIn(setup);
  try {
    const adminJwt = await firstAdmin(kernel.url, PASSWORD);
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: TEMPLATE, password: PASSWORD } } };
    await api(kernel.url, 'POST', `/users/${TEMPLATE}/_create`, { body, jwt: adminJwt });
  } finally {
    await kernel.stop();
  }
}

/** The seeding worked and a plain boot sees it: the last seeded user logs in, and exists in the local strategy. */
async function checkLastUser(namespace: Namespace): Promise<void> {
  const { url } = namespace.kernel!;
  const last = namespace.users - 1;
  await login(url, seededUsername(last), PASSWORD);
  const found = await api(url, 'GET', `/credentials/local/${seededKuid(last)}/_exists`, { jwt: namespace.adminJwt! });
  if ((found as unknown) !== true) throw new Error(`${seededKuid(last)} has no local credentials after seeding`);
}

/**
 * Sequential p50s (µs) of logins and `_exists` at `positions` (fractions of
 * each range), after a short warm-up. The namespaces take turns call by call
 * (which goes first alternating), so a neighbour's load on this shared
 * machine weighs on both alike.
 */
async function measure(namespaces: Namespace[], positions: number[], logins: number, exists: number): Promise<Sample[]> {
  const calls = namespaces.map((namespace) => {
    const { url } = namespace.kernel!;
    const index = (position: number) => Math.floor(position * namespace.users);
    return {
      login: (position: number) => login(url, seededUsername(index(position)), PASSWORD),
      exists: async (position: number) => {
        const response = await fetch(`${url}/credentials/local/${seededKuid(index(position))}/_exists`, { headers: { authorization: `Bearer ${namespace.adminJwt}` } });
        const { result } = (await response.json()) as { result: unknown };
        if (result !== true) throw new Error(`_exists answered ${response.status} ${JSON.stringify(result)}`);
      },
    };
  });
  const warm = positions.slice(-20);
  for (const call of calls) {
    for (const position of warm.slice(0, 3)) await call.login(position);
    for (const position of warm) await call.exists(position);
  }
  const loginP50 = await p50s(positions.slice(0, logins), calls.map((call) => call.login));
  const existsP50 = await p50s(positions.slice(0, exists), calls.map((call) => call.exists));
  return namespaces.map((_, i) => ({ loginP50: loginP50[i]!, existsP50: existsP50[i]! }));
}

/** Each of `calls` at each position, taking turns; answers each one's median time in µs. */
async function p50s(positions: number[], calls: Array<(position: number) => Promise<unknown>>): Promise<number[]> {
  const times = calls.map((): number[] => []);
  for (const [n, position] of positions.entries()) {
    const order = n % 2 === 0 ? calls.map((_, i) => i) : calls.map((_, i) => calls.length - 1 - i);
    for (const i of order) {
      const started = performance.now();
      await calls[i]!(position);
      times[i]!.push((performance.now() - started) * 1000);
    }
  }
  return times.map((list) => spread(list).median);
}

/** `count` positions in [0, 1), the same for every namespace in a run (mulberry32, seeded by the run). */
function randomPositions(run: number, count: number): number[] {
  let state = 0x5eed + run;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

function dataDirMb(namespaces: Namespace[]): Map<number, number> {
  const size = (path: string): number => {
    const stat = statSync(path);
    return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0) : stat.size;
  };
  return new Map(namespaces.map((namespace) => [namespace.users, size(namespace.setup.dataDir) / 1024 / 1024]));
}

function section(
  namespaces: Namespace[],
  boots: Map<number, number[]>,
  samples: Map<number, Sample[]>,
  sizes: Map<number, number>,
  options: BenchOptions,
  counts: { logins: number; exists: number },
): BenchSection {
  const [small, large] = namespaces.map((namespace) => namespace.users) as [number, number];
  const vs = `${label(large)} vs ${label(small)} users`;
  const compare = (measure: string, pick: (sample: Sample) => number, unit: string, target: boolean): BenchRow => {
    const base = samples.get(small)!.map(pick);
    const other = samples.get(large)!.map(pick);
    const ratio = pairedRatios(base, other);
    return {
      measure: `${measure}, ${vs}`,
      portcullis: { value: inUnit(spread(other), unit), unit },
      baseline: { name: `${label(small)} users`, value: inUnit(spread(base), unit), unit },
      ratio,
      ...(target ? { target: 'within 10%', met: ratio.median <= TARGET } : {}),
      detail: { [`runs${large}`]: other, [`runs${small}`]: base, unit: 'µs' },
    };
  };
  const bootBase = boots.get(small)!;
  const bootLarge = boots.get(large)!;
  return {
    bench: 'scale',
    title: `local namespace of ${vs} (bench/seed-users clones of one API-created user, bcrypt cost 10); sequential p50 of ${counts.logins} logins and ${counts.exists} _exists per run at random positions over the whole range, the two kernels taking turns call by call; median of ${options.runs}${options.smoke ? ' [smoke]' : ''}`,
    rows: [
      compare('login p50', (sample) => sample.loginP50, 'ms', true),
      compare('_exists p50', (sample) => sample.existsP50, 'µs', true),
      {
        measure: `boot to listening, ${vs}`,
        portcullis: { value: spread(bootLarge), unit: 'ms' },
        baseline: { name: `${label(small)} users`, value: spread(bootBase), unit: 'ms' },
        ratio: pairedRatios(bootBase, bootLarge),
        detail: { [`runs${large}`]: bootLarge, [`runs${small}`]: bootBase },
      },
      {
        measure: `data dir on disk, ${vs}`,
        portcullis: { value: one(sizes.get(large)!), unit: 'MB' },
        baseline: { name: `${label(small)} users`, value: one(sizes.get(small)!), unit: 'MB' },
        detail: { seedSeconds: Object.fromEntries(namespaces.map((namespace) => [namespace.users, namespace.seedMs / 1000])) },
      },
      {
        measure: `bulk seeding (bench/seed-users, kernel stopped), ${label(large)} users`,
        portcullis: { value: one(namespaces[1]!.seedMs / 1000), unit: 's' },
      },
    ],
  };
}

const label = (users: number): string => (users >= 1_000_000 ? `${users / 1_000_000}M` : `${users / 1000}k`);
const one = (value: number): Spread => ({ median: value, min: value, max: value });
/** A spread of µs in `unit`: ms for logins (tens of ms of bcrypt), µs for `_exists`. */
const inUnit = (value: Spread, unit: string): Spread => (unit === 'ms' ? { median: value.median / 1000, min: value.min / 1000, max: value.max / 1000 } : value);
