/**
 * bench/login: `POST /_login/local` against a kernel process (HTTP, request
 * parsing, the `local` plugin's isolate, lockout check, storage, host
 * bcrypt, token issue, envelope) next to raw bcrypt compares at the same
 * cost in the same run, with 8 and 32 logins in flight, alternating. bcrypt
 * is the floor: the target is >= 97% of its rate.
 *
 * Raw bcrypt runs in this process as the host runs it: bcrypt of the 64
 * characters of HMAC-SHA-384's base64, asynchronous, so on libuv's pool of
 * 4 threads (the host hands libuv the pool size + 2 per plugin). Logins spread
 * over many accounts and all succeed: the per-account lockout
 * (`lockout.maxFailures` attempts at once) never comes into play.
 *
 * Cost 12 (production's default) in a full run, about 8 s a run; cost 10,
 * the kernel's floor, in smoke mode.
 */
import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createUsers, firstAdmin, requestsPerSecond, startKernel, type ServerProcess } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { pairedRatios, spread } from './stats.js';

const IN_FLIGHT = [8, 32] as const;
const TARGET = 0.97;
const PASSWORD = 'correct horse battery staple';

/**
 * Completes `total` calls over `inFlight` lanes, each its equal share (as
 * autocannon spreads `amount` over its connections); answers calls/s.
 *
 * Why a count and not a window: bcrypt's pool runs in lockstep (4 compares
 * start together and end together, about every 400 ms at cost 12 on 2 cores),
 * so counting what ends inside a fixed window moves in steps of 4: a side
 * whose batches end 1% late loses a whole batch, 5% of an 8 s window. Timing
 * a fixed count has no such steps.
 */
async function rate(call: () => Promise<unknown>, inFlight: number, total: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < total / inFlight; i++) await call();
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

interface Side {
  rate: number;
  /** CPU milliseconds per login (the kernel process) or per compare (this process). */
  cpuMs: number;
}

export async function loginBench(options: BenchOptions): Promise<BenchSection> {
  // The kernel refuses a cost below 10 (PasswordService's floor); 12 is production's default.
  const cost = options.smoke ? 10 : 12;
  const seconds = options.smoke ? 1 : 8;
  const accountCount = options.smoke ? 8 : 64;
  let kernel: ServerProcess | undefined;
  try {
    kernel = await startKernel({ cost, nodeArgs: options.kernelNodeArgs });
    const server = kernel;
    const adminJwt = await firstAdmin(server.url, PASSWORD);
    const accounts = await createUsers(server.url, adminJwt, accountCount, PASSWORD);
    let next = 0;
    const body = () => JSON.stringify({ username: accounts[next++ % accounts.length], password: PASSWORD });
    const logins = async (connections: number, total: number): Promise<Side> => {
      const before = server.cpuSeconds();
      const perSecond = await requestsPerSecond(`${server.url}/_login/local`, { connections, amount: total, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { rate: perSecond, cpuMs: ((server.cpuSeconds() - before) * 1000) / total };
    };
    // The host hashes HMAC-SHA-384(pepper, password) in base64: the same 64-character input here.
    const input = createHmac('sha384', randomBytes(32)).update(PASSWORD).digest('base64');
    const hash = await bcrypt.hash(input, cost);
    const raw = async (inFlight: number, total: number): Promise<Side> => {
      const before = process.cpuUsage();
      const perSecond = await rate(() => bcrypt.compare(input, hash), inFlight, total);
      const used = process.cpuUsage(before);
      return { rate: perSecond, cpuMs: (used.user + used.system) / 1000 / total };
    };
    // Sized from a first raw run so each run lasts about `seconds`; a multiple of 32 keeps every lane busy to the end.
    const calibration = await raw(32, 32);
    const total = Math.max(32, Math.round((calibration.rate * seconds) / 32) * 32);

    const rows: BenchRow[] = [];
    for (const inFlight of IN_FLIGHT) {
      const sides = { raw: [] as Side[], http: [] as Side[] };
      for (let run = 0; run < options.runs; run++) {
        // Alternating which goes first: a noisy neighbour then weighs on both sides alike.
        if (run % 2 === 0) sides.raw.push(await raw(inFlight, total));
        sides.http.push(await logins(inFlight, total));
        if (run % 2 === 1) sides.raw.push(await raw(inFlight, total));
      }
      const rates = { raw: sides.raw.map((side) => side.rate), http: sides.http.map((side) => side.rate) };
      // Each login run is paired with the adjacent raw run: the target reads the paired ratios.
      const ratio = pairedRatios(rates.raw, rates.http);
      rows.push({
        measure: `password login: POST /_login/local, ${inFlight} in flight`,
        portcullis: { value: spread(rates.http), unit: 'logins/s' },
        baseline: { name: `raw bcrypt compares, cost ${cost}`, value: spread(rates.raw), unit: 'compares/s' },
        ratio,
        target: `>= ${TARGET * 100}% of raw bcrypt`,
        met: ratio.median >= TARGET,
        detail: {
          cost,
          total,
          accounts: accountCount,
          rates,
          cpuMs: { kernelPerLogin: sides.http.map((side) => side.cpuMs), perRawCompare: sides.raw.map((side) => side.cpuMs) },
        },
      });
    }
    return { bench: 'login', title: `cost ${cost}, ${total} logins and ${total} compares a run (about ${seconds} s), ${accountCount} accounts, sides alternating`, rows };
  } finally {
    await kernel?.stop();
  }
}
