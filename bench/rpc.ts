/**
 * bench/rpc: what the isolation boundary costs.
 *
 * Measures a strategy call that crosses it (kernel -> plugin isolate -> host
 * storage -> reply -> kernel) next to the same storage read done in-process,
 * in the same run, on the same SQLite file. Prints p50/p99 latency and
 * calls/s, sequential and with 64 calls in flight, as the median of 3 runs
 * with min-max, and the ratio to the in-process baseline. The machine is
 * shared and noisy: read the ratios and the overhead, not absolute times.
 *
 *   make bench          full run (about 30 s)
 *   make bench-smoke    a few seconds, to keep this file from rotting
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLog } from '../kernel/audit/audit-log.js';
import { parsePluginsConfig } from '../kernel/config/plugins-config.js';
import { PasswordService } from '../kernel/host/password-service.js';
import { createLogger } from '../kernel/log.js';
import { PluginHost } from '../kernel/plugins/plugin-host.js';
import { CredentialLedger } from '../kernel/security/credential-ledger.js';
import { UserStore } from '../kernel/security/user-store.js';
import { TokenStore } from '../kernel/tokens/token-store.js';
import { openKernelDb } from '../kernel/storage/kernel-db.js';
import { PluginStore } from '../kernel/storage/plugin-store.js';
import { KERNEL_VERSION } from '../kernel/version.js';
import { installFixture, removeTempDirs, tempDir } from '../test/helpers/fixtures.js';
import { measure, summarize, type RunResult } from './stats.js';

const smoke = process.argv.includes('--smoke');
const RUNS = smoke ? 1 : 3;
const SEQUENTIAL_CALLS = smoke ? 300 : 5_000;
const CONCURRENT_MS = smoke ? 300 : 3_000;
const IN_FLIGHT = 64;
const USERS = smoke ? 100 : 1_000;

const request = { requestId: 'bench', controller: 'security', action: 'hasCredentials', userId: null, tokenId: null, args: {}, ip: null };

async function main(): Promise<void> {
  const dataDir = tempDir('portcullis-bench-');
  const pluginsDir = tempDir('portcullis-bench-plugins-');
  installFixture(pluginsDir, 'minimal');
  const db = openKernelDb(join(dataDir, 'kernel.sqlite'));
  const host = await PluginHost.start({
    plugins: parsePluginsConfig({ plugins: { minimal: { enabled: true, threads: { min: 2, max: 2 } } } }, 'bench'),
    pluginsDir,
    dataDir,
    kernelVersion: KERNEL_VERSION,
    // No roles or profiles here: the bench's plugin creates no users.
    profileExists: () => true,
    passwords: new PasswordService(4),
    users: new UserStore(db),
    ledger: new CredentialLedger(db),
    tokens: new TokenStore(db, randomBytes(32)),
    audit: new AuditLog(db, { retentionMs: 86_400_000, maxFailures: 1000, log: createLogger('warn') }),
    db,
    log: createLogger('warn'),
  });
  await seed(host);
  // A second handle on the plugin's own file: the in-process baseline reads the same rows.
  const store = PluginStore.open(join(dataDir, 'plugins', 'minimal.sqlite'));

  const kuid = (i: number) => `kuid-${i % USERS}`;
  const isolated = (i: number) => host.registry.call('minimal', 'exists', { request, kuid: kuid(i), strategy: 'minimal' });
  const inProcess = async (i: number) => store.get('credentials', kuid(i)) !== null;

  const results: Record<string, RunResult[]> = { 'in-process': [], isolate: [] };
  for (let run = 0; run < RUNS; run++) {
    results['in-process']!.push(await measure(inProcess, SEQUENTIAL_CALLS, IN_FLIGHT, CONCURRENT_MS));
    results.isolate!.push(await measure(isolated, SEQUENTIAL_CALLS, IN_FLIGHT, CONCURRENT_MS));
  }
  store.close();
  await host.stop();
  db.close();
  removeTempDirs();
  report(results);
}

async function seed(host: PluginHost): Promise<void> {
  for (let i = 0; i < USERS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, USERS - i) }, (_, j) =>
        host.registry.call('minimal', 'create', { request, credentials: { login: `user-${i + j}`, secret: 'x' }, kuid: `kuid-${i + j}`, strategy: 'minimal' }),
      ),
    );
  }
}

function report(results: Record<string, RunResult[]>): void {
  const base = summarize(results['in-process']!);
  const iso = summarize(results.isolate!);
  const us = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(1)} µs (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;
  const rate = (s: { median: number; min: number; max: number }) => `${Math.round(s.median)}/s (${Math.round(s.min)}-${Math.round(s.max)})`;
  const rows = [
    ['sequential p50', us(base.seqP50), us(iso.seqP50), `+${(iso.seqP50.median - base.seqP50.median).toFixed(1)} µs`],
    ['sequential p99', us(base.seqP99), us(iso.seqP99), `+${(iso.seqP99.median - base.seqP99.median).toFixed(1)} µs`],
    ['sequential calls/s', rate(base.seqRate), rate(iso.seqRate), `${((iso.seqRate.median / base.seqRate.median) * 100).toFixed(1)}%`],
    [`${IN_FLIGHT} in flight p50`, us(base.conP50), us(iso.conP50), ''],
    [`${IN_FLIGHT} in flight p99`, us(base.conP99), us(iso.conP99), ''],
    [`${IN_FLIGHT} in flight calls/s`, rate(base.conRate), rate(iso.conRate), `${((iso.conRate.median / base.conRate.median) * 100).toFixed(1)}%`],
  ];
  const overhead = iso.seqP50.median - base.seqP50.median;
  console.log(`\nbench/rpc: exists() through the isolate vs in-process (median of ${RUNS}, min-max)${smoke ? ' [smoke]' : ''}`);
  console.table(rows.map(([metric, baseline, isolate, ratio]) => ({ metric, 'in-process': baseline, isolate, 'isolate vs in-process': ratio })));
  console.log(`target p50 overhead <= 100 µs: ${overhead.toFixed(1)} µs -> ${overhead <= 100 ? 'met' : 'MISSED'}`);
  console.log(`target >= 50,000 calls/s with ${IN_FLIGHT} in flight: ${Math.round(iso.conRate.median)} -> ${iso.conRate.median >= 50_000 ? 'met' : 'MISSED'}`);
  if (!smoke) save({ base, iso, overheadUs: overhead });
}

function save(summary: object): void {
  const dir = fileURLToPath(new URL('results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`;
  const file = join(dir, `rpc-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ bench: 'rpc', date: new Date().toISOString(), machine, runs: RUNS, ...summary }, null, 2));
  console.log(`written: ${file}`);
}

await main();
