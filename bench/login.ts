/**
 * bench/login: password logins through the `local` plugin (isolate, lockout
 * check, storage, host bcrypt) against raw bcrypt compares at the same cost,
 * same run, with 8 and 32 logins in flight. bcrypt is the floor: the target
 * is >= 97% of its rate with 32 in flight. Through the plugin harness until
 * the HTTP API serves logins; then it measures `POST /_login/local` too.
 *
 *   make bench          full run (cost 12, production's default; --cost N to change)
 *   make bench-smoke    a few seconds, to keep this file from rotting
 */
import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcrypt';
import { startPluginHarness } from '../sdk-plugin/src/testing/index.js';
import { spread } from './stats.js';

const smoke = process.argv.includes('--smoke');
const costArg = process.argv.indexOf('--cost');
// Production's default cost (12); a lower cost measures overhead more than logins.
const COST = costArg >= 0 ? Number(process.argv[costArg + 1]) : smoke ? 4 : 12;
const RUNS = smoke ? 1 : 3;
const DURATION_MS = smoke ? 400 : 4_000;
const PASSWORD = 'correct horse battery staple';
const ACCOUNTS = 64;

/** Runs `call` with `inFlight` lanes for `durationMs`; returns completions per second. */
async function rate(call: () => Promise<unknown>, inFlight: number, durationMs: number): Promise<number> {
  const end = Date.now() + durationMs;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const plugin = await startPluginHarness({ dir: fileURLToPath(new URL('../plugins/local', import.meta.url)), config: { cost: COST } });
  // Many accounts, as in real load: one account admits at most lockout.maxFailures attempts at once.
  for (let i = 0; i < ACCOUNTS; i++) {
    await plugin.call('local', 'create', { credentials: { username: `bench-${i}`, password: PASSWORD }, kuid: `kuid-bench-${i}` });
  }
  let next = 0;
  const login = async () => {
    const outcome = await plugin.login('local', { username: `bench-${next++ % ACCOUNTS}`, password: PASSWORD });
    if (outcome.kind !== 'success') throw new Error(`login failed: ${JSON.stringify(outcome)}`);
  };
  // The host hashes HMAC-SHA-384(pepper, password) in base64: the same 64-character input here.
  const input = createHmac('sha384', randomBytes(32)).update(PASSWORD).digest('base64');
  const hash = await bcrypt.hash(input, COST);
  const raw = () => bcrypt.compare(input, hash);

  const rows = [];
  for (const inFlight of [8, 32]) {
    const raws: number[] = [];
    const logins: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      raws.push(await rate(raw, inFlight, DURATION_MS));
      logins.push(await rate(login, inFlight, DURATION_MS));
    }
    const r = spread(raws);
    const l = spread(logins);
    rows.push({ 'in flight': inFlight, 'raw bcrypt/s': fmt(r), 'logins/s': fmt(l), 'logins vs bcrypt': `${((l.median / r.median) * 100).toFixed(1)}%` });
    if (inFlight === 32) {
      const ratio = l.median / r.median;
      console.log(`\nbench/login: local plugin logins vs raw bcrypt compares at cost ${COST} (median of ${RUNS}, min-max)${smoke ? ' [smoke]' : ''}`);
      console.table(rows);
      console.log(`target >= 97% of raw bcrypt with 32 in flight: ${(ratio * 100).toFixed(1)}% -> ${ratio >= 0.97 ? 'met' : 'MISSED'}`);
    }
  }
  await plugin.stop();
}

function fmt(s: { median: number; min: number; max: number }): string {
  return `${s.median.toFixed(1)} (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;
}

await main();
