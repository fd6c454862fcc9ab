/**
 * bench/login: `POST /_login/local` against a kernel process (HTTP, request
 * parsing, the `local` plugin's isolate, lockout check, storage, host
 * bcrypt, token issue, envelope) next to raw bcrypt compares at the same
 * cost in the same run, with 8 and 32 logins in flight, alternating. bcrypt
 * is the floor: the target is >= 97% of its rate with 32 in flight.
 *
 * Raw bcrypt runs in this process as the host runs it: bcrypt of the 64
 * characters of HMAC-SHA-384's base64, asynchronous, so on libuv's pool of
 * 4 threads (the host hands libuv the pool size + 2 per plugin). Logins spread
 * over many accounts and all succeed: the per-account lockout
 * (`lockout.maxFailures` attempts at once) never comes into play.
 *
 *   make bench          full run (cost 12, production's default; 5 pairs of 8 s runs; about 3 minutes; --cost N, --runs N, --seconds N)
 *   make bench-smoke    a few seconds at cost 10, the kernel's floor, to keep this file from rotting
 *   --cpu-prof          the kernel writes CPU profiles when it stops
 */
import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createUsers, firstAdmin, fmt, numberArg, profileArgs, requestsPerSecond, saveResults, smoke, startKernel, login, type ServerProcess } from './http-harness.js';
import { pairedRatios, spread, type Spread } from './stats.js';

// The kernel refuses a cost below 10 (PasswordService's floor); 12 is production's default.
const COST = numberArg('cost', smoke ? 10 : 12);
const RUNS = smoke ? 1 : numberArg('runs', 5);
const SECONDS = smoke ? 1 : numberArg('seconds', 8);
const ACCOUNTS = smoke ? 8 : 64;
const IN_FLIGHT = [8, 32] as const;
const TARGET = 0.97;
const PASSWORD = 'correct horse battery staple';

/**
 * Runs `call` with `inFlight` lanes for `seconds`; answers the calls completed
 * within that window per second, as autocannon counts: both sides start with
 * an empty pipeline and neither counts what finishes after the deadline (the
 * stragglers are awaited, uncounted, so the next run starts on an idle pool).
 */
async function rate(call: () => Promise<unknown>, inFlight: number, seconds: number): Promise<number> {
  const started = performance.now();
  const end = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await call();
        if (performance.now() <= end) done++;
      }
    }),
  );
  return done / seconds;
}

async function main(): Promise<void> {
  let kernel: ServerProcess | undefined;
  try {
    kernel = await startKernel({ cost: COST, nodeArgs: profileArgs() });
    const url = kernel.url;
    const adminJwt = await firstAdmin(url, PASSWORD);
    const accounts = await createUsers(url, adminJwt, ACCOUNTS, PASSWORD);
    let next = 0;
    const body = () => JSON.stringify({ username: accounts[next++ % accounts.length], password: PASSWORD });
    const logins = async (connections: number) => {
      const perSecond = await requestsPerSecond(`${url}/_login/local`, { connections, seconds: SECONDS, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      // autocannon stops counting at the deadline, not the kernel: one more login waits behind
      // the abandoned ones (bcrypt's queue is first in, first out), so the raw side that follows runs alone.
      await login(url, accounts[0]!, PASSWORD);
      return perSecond;
    };
    // The host hashes HMAC-SHA-384(pepper, password) in base64: the same 64-character input here.
    const input = createHmac('sha384', randomBytes(32)).update(PASSWORD).digest('base64');
    const hash = await bcrypt.hash(input, COST);
    const raw = (inFlight: number) => rate(() => bcrypt.compare(input, hash), inFlight, SECONDS);

    const results: Array<{ inFlight: number; raw: Spread; http: Spread; ratio: Spread; rates: { raw: number[]; http: number[] } }> = [];
    for (const inFlight of IN_FLIGHT) {
      const rates = { raw: [] as number[], http: [] as number[] };
      for (let run = 0; run < RUNS; run++) {
        // Alternating which goes first: a noisy neighbour then weighs on both sides alike.
        if (run % 2 === 0) rates.raw.push(await raw(inFlight));
        rates.http.push(await logins(inFlight));
        if (run % 2 === 1) rates.raw.push(await raw(inFlight));
      }
      // Each login run is paired with the adjacent raw run: the target reads the paired ratios.
      results.push({ inFlight, raw: spread(rates.raw), http: spread(rates.http), ratio: pairedRatios(rates.raw, rates.http), rates });
    }
    report(results);
  } finally {
    await kernel?.stop();
  }
}

function report(results: Array<{ inFlight: number; raw: Spread; http: Spread; ratio: Spread }>): void {
  console.log(`\nbench/login: POST /_login/local vs raw bcrypt compares at cost ${COST}, ${SECONDS} s runs over ${ACCOUNTS} accounts (median of ${RUNS}, min-max)${smoke ? ' [smoke]' : ''}`);
  console.table(
    results.map((row) => ({
      'in flight': row.inFlight,
      'raw bcrypt/s': fmt(row.raw, 1),
      'HTTP logins/s': fmt(row.http, 1),
      'logins vs bcrypt (paired runs)': `${(row.ratio.median * 100).toFixed(1)}% (${(row.ratio.min * 100).toFixed(1)}-${(row.ratio.max * 100).toFixed(1)})`,
    })),
  );
  const ratio = results.find((row) => row.inFlight === 32)?.ratio.median ?? 0;
  console.log(`target >= ${TARGET * 100}% of raw bcrypt with 32 in flight: ${(ratio * 100).toFixed(1)}% -> ${ratio >= TARGET ? 'met' : 'MISSED'}`);
  if (!smoke) {
    const file = saveResults('login', { cost: COST, seconds: SECONDS, runs: RUNS, accounts: ACCOUNTS, results });
    console.log(`written: ${file}`);
  }
}

await main();
