/**
 * bench/authreq: the cost of an authenticated request that needs rights but
 * no plugin. `GET /_now` with `Authorization: Bearer <token>` (token check,
 * user read, rights check, envelope) against a kernel process, next to a
 * bare hono JSON route on @hono/node-server in a process of the same shape,
 * with the same load generator (autocannon, 32 connections, loopback) in the
 * same run, alternating. Target: the kernel serves >= 70% of the bare rate.
 * The machine is shared and noisy: read the ratio, not absolute rates. Each
 * side's CPU time per request (user + system, all threads, from /proc) is
 * printed too: a neighbour moves it much less than a rate, so it is the
 * number to compare when changing the request path.
 *
 *   make bench          full run (about a minute: 5 pairs of 6 s runs; --runs N, --seconds N to change)
 *   make bench-smoke    a few seconds, to keep this file from rotting
 *   --cpu-prof          the kernel writes CPU profiles when it stops
 */
import { api, createUsers, firstAdmin, fmt, loadRun, login, numberArg, profileArgs, requestsPerSecond, saveResults, smoke, startBare, startKernel, type Load, type ServerProcess } from './http-harness.js';
import { pairedRatios, spread, type Spread } from './stats.js';

const RUNS = smoke ? 1 : numberArg('runs', 5);
const SECONDS = smoke ? 1 : numberArg('seconds', 6);
const WARMUP_SECONDS = smoke ? 1 : 3;
const CONNECTIONS = 32;
const TARGET = 0.7;
const PASSWORD = 'correct horse battery staple';

async function main(): Promise<void> {
  const servers: ServerProcess[] = [];
  try {
    // The lowest cost the kernel allows: hashing is not what this measures.
    const kernel = await startKernel({ cost: 10, nodeArgs: profileArgs() });
    servers.push(kernel);
    const bare = await startBare();
    servers.push(bare);
    const adminJwt = await firstAdmin(kernel.url, PASSWORD);
    // A plain user (profile `default`): rights are checked, not waved through by `*:*`.
    await createUsers(kernel.url, adminJwt, 1, PASSWORD);
    const jwt = await login(kernel.url, 'bench-0', PASSWORD);
    await api(kernel.url, 'GET', '/_now', { jwt });

    const sides = {
      bare: () => measured(bare, `${bare.url}/`, { connections: CONNECTIONS, seconds: SECONDS }),
      portcullis: () => measured(kernel, `${kernel.url}/_now`, { connections: CONNECTIONS, seconds: SECONDS, headers: { authorization: `Bearer ${jwt}` } }),
    };
    // Warm-up: both JITs settle before anything counts.
    await requestsPerSecond(`${bare.url}/`, { connections: CONNECTIONS, seconds: WARMUP_SECONDS });
    await requestsPerSecond(`${kernel.url}/_now`, { connections: CONNECTIONS, seconds: WARMUP_SECONDS, headers: { authorization: `Bearer ${jwt}` } });

    const rates = { bare: [] as number[], portcullis: [] as number[] };
    const cpu = { bare: [] as number[], portcullis: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      // Alternating which goes first: a noisy neighbour then weighs on both sides alike.
      const order = run % 2 === 0 ? (['bare', 'portcullis'] as const) : (['portcullis', 'bare'] as const);
      for (const side of order) {
        const { rate, cpuMicros } = await sides[side]();
        rates[side].push(rate);
        cpu[side].push(cpuMicros);
      }
    }
    report(rates, cpu);
  } finally {
    for (const server of servers) await server.stop();
  }
}

/**
 * One run, with the server's CPU time per request: the machine is shared,
 * and a neighbour lowers a rate much more than the CPU each request costs.
 */
async function measured(server: ServerProcess, url: string, load: Load): Promise<{ rate: number; cpuMicros: number }> {
  const before = server.cpuSeconds();
  const { rate, requests } = await loadRun(url, load);
  return { rate, cpuMicros: ((server.cpuSeconds() - before) * 1e6) / requests };
}

function report(rates: { bare: number[]; portcullis: number[] }, cpu: { bare: number[]; portcullis: number[] }): void {
  const bare = spread(rates.bare);
  const portcullis = spread(rates.portcullis);
  const cpuMicros = { bare: spread(cpu.bare), portcullis: spread(cpu.portcullis) };
  // Each run of one side is paired with the adjacent run of the other: the target reads the paired ratios.
  const ratio = pairedRatios(rates.bare, rates.portcullis);
  const pct = (s: Spread) => `${(s.median * 100).toFixed(1)}% (${(s.min * 100).toFixed(1)}-${(s.max * 100).toFixed(1)})`;
  console.log(`\nbench/authreq: GET /_now with a Bearer token vs a bare hono JSON route, ${CONNECTIONS} connections, ${SECONDS} s runs (median of ${RUNS}, min-max)${smoke ? ' [smoke]' : ''}`);
  console.table([
    { server: 'bare hono (@hono/node-server)', 'req/s': fmt(bare), 'vs bare (paired runs)': '', 'server CPU µs/req': fmt(cpuMicros.bare, 1) },
    { server: 'portcullis GET /_now (token + rights)', 'req/s': fmt(portcullis), 'vs bare (paired runs)': pct(ratio), 'server CPU µs/req': fmt(cpuMicros.portcullis, 1) },
  ]);
  console.log(`target >= ${TARGET * 100}% of bare hono: ${(ratio.median * 100).toFixed(1)}% -> ${ratio.median >= TARGET ? 'met' : 'MISSED'}`);
  if (!smoke) {
    const file = saveResults('authreq', { connections: CONNECTIONS, seconds: SECONDS, runs: RUNS, rates, bare, portcullis, ratio, cpuMicrosPerRequest: cpu });
    console.log(`written: ${file}`);
  }
}

await main();
