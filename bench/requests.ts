/**
 * bench/requests: the cost of requests that need no bcrypt, against a bare
 * hono JSON route on @hono/node-server in a process of the same shape, same
 * load generator (autocannon, 32 connections, loopback), same run, sides
 * alternating:
 * - an authenticated action that needs rights but no plugin: `GET /_now`
 *   with a Bearer token of a `default` user (token check, user read, rights,
 *   envelope). Target >= 70% of the bare rate.
 * - a plugin round trip: `GET /credentials/local/:id/_exists` with an admin
 *   token (HTTP, rights, the `local` isolate, host storage, back). Target
 *   >= 35% of the bare rate.
 * Each side's CPU time per request (user + system, all threads, from /proc)
 * is kept too: a neighbour moves it much less than a rate, so it is the
 * number to compare when changing the request path.
 */
import { api, createUsers, firstAdmin, loadRun, login, startBare, startKernel, type Load, type ServerProcess } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { pairedRatios, spread } from './stats.js';

const CONNECTIONS = 32;
const PASSWORD = 'correct horse battery staple';

type Side = 'bare' | 'now' | 'exists';

export async function requestsBench(options: BenchOptions): Promise<BenchSection> {
  const seconds = options.smoke ? 1 : 6;
  const servers: ServerProcess[] = [];
  try {
    // The lowest cost the kernel allows: hashing is not what this measures.
    const kernel = await startKernel({ cost: 10, nodeArgs: options.kernelNodeArgs });
    servers.push(kernel);
    const bare = await startBare();
    servers.push(bare);
    const adminJwt = await firstAdmin(kernel.url, PASSWORD);
    // A plain user (profile `default`): rights are checked, not waved through by `*:*`.
    const [kuid] = await createUsers(kernel.url, adminJwt, 1, PASSWORD);
    const jwt = await login(kernel.url, kuid!, PASSWORD);
    const existsPath = `/credentials/local/${kuid}/_exists`;
    // The round trip must reach the plugin and find the user: `true`, not a refusal answered early.
    const found: unknown = await api(kernel.url, 'GET', existsPath, { jwt: adminJwt });
    if (found !== true) throw new Error(`${existsPath} answered ${String(found)}, not true`);

    const loads: Record<Side, { server: ServerProcess; url: string; load: Load }> = {
      bare: { server: bare, url: `${bare.url}/`, load: { connections: CONNECTIONS, seconds } },
      now: { server: kernel, url: `${kernel.url}/_now`, load: { connections: CONNECTIONS, seconds, headers: { authorization: `Bearer ${jwt}` } } },
      exists: { server: kernel, url: `${kernel.url}${existsPath}`, load: { connections: CONNECTIONS, seconds, headers: { authorization: `Bearer ${adminJwt}` } } },
    };
    // Warm-up: every JIT settles before anything counts.
    for (const side of Object.values(loads)) await loadRun(side.url, { ...side.load, seconds: options.smoke ? 1 : 3 });

    const rates: Record<Side, number[]> = { bare: [], now: [], exists: [] };
    const cpuMicros: Record<Side, number[]> = { bare: [], now: [], exists: [] };
    const order: Side[] = ['bare', 'now', 'exists'];
    for (let run = 0; run < options.runs; run++) {
      // Rotating which goes first: a noisy neighbour then weighs on every side alike.
      for (const side of [...order.slice(run % 3), ...order.slice(0, run % 3)]) {
        const { server, url, load } = loads[side];
        const before = server.cpuSeconds();
        const { rate, requests } = await loadRun(url, load);
        rates[side].push(rate);
        cpuMicros[side].push(((server.cpuSeconds() - before) * 1e6) / requests);
      }
    }
    const baseline = { name: 'bare hono route', value: spread(rates.bare), unit: 'req/s' };
    const row = (side: Exclude<Side, 'bare'>, measure: string, target: number): BenchRow => {
      const ratio = pairedRatios(rates.bare, rates[side]);
      return {
        measure,
        portcullis: { value: spread(rates[side]), unit: 'req/s' },
        baseline,
        ratio,
        target: `>= ${target * 100}% of bare hono`,
        met: ratio.median >= target,
        detail: { rates: { bare: rates.bare, portcullis: rates[side] }, cpuMicrosPerRequest: { bare: cpuMicros.bare, portcullis: cpuMicros[side] } },
      };
    };
    return {
      bench: 'requests',
      title: `autocannon, ${CONNECTIONS} connections, ${seconds} s runs, sides rotating; kernel and bare hono each in its own process`,
      rows: [
        row('now', 'authenticated action: GET /_now, Bearer token of a default user', 0.7),
        row('exists', 'plugin round trip: GET /credentials/local/:id/_exists (HTTP, isolate, host storage)', 0.35),
      ],
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}
