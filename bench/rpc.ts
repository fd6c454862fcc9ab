/**
 * bench/rpc: what the isolation boundary costs.
 *
 * Measures a strategy call that crosses it (kernel -> plugin isolate -> host
 * storage -> reply -> kernel) next to the same storage read done in-process,
 * in the same run, on the same SQLite file. Prints p50/p99 latency and
 * calls/s, sequential and with 64 calls in flight, as the median of 3 runs
 * with min-max, and the ratio to the in-process baseline. The machine is
 * shared and noisy: read the ratios and the overhead, not absolute times.
 * Targets: p50 overhead <= 100 µs, >= 50,000 calls/s with 64 in flight.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
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
import type { BenchOptions, BenchSection } from './report.js';
import { measure, pairedRatios, summarize, type RunResult } from './stats.js';

const IN_FLIGHT = 64;
const OVERHEAD_TARGET_US = 100;
const RATE_TARGET = 50_000;

const request = { requestId: 'bench', controller: 'security', action: 'hasCredentials', userId: null, tokenId: null, args: {}, ip: null };

export async function rpcBench(options: BenchOptions): Promise<BenchSection> {
  const { smoke } = options;
  const sequentialCalls = smoke ? 300 : 5_000;
  const concurrentMs = smoke ? 300 : 3_000;
  const users = smoke ? 100 : 1_000;
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
  await seed(host, users);
  // A second handle on the plugin's own file: the in-process baseline reads the same rows.
  const store = PluginStore.open(join(dataDir, 'plugins', 'minimal.sqlite'));

  const kuid = (i: number) => `kuid-${i % users}`;
  const isolated = (i: number) => host.registry.call('minimal', 'exists', { request, kuid: kuid(i), strategy: 'minimal' });
  const inProcess = async (i: number) => store.get('credentials', kuid(i)) !== null;

  const results: Record<string, RunResult[]> = { 'in-process': [], isolate: [] };
  for (let run = 0; run < options.runs; run++) {
    results['in-process']!.push(await measure(inProcess, sequentialCalls, IN_FLIGHT, concurrentMs));
    results.isolate!.push(await measure(isolated, sequentialCalls, IN_FLIGHT, concurrentMs));
  }
  store.close();
  await host.stop();
  db.close();
  removeTempDirs();
  return section(results, sequentialCalls, concurrentMs);
}

async function seed(host: PluginHost, users: number): Promise<void> {
  for (let i = 0; i < users; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, users - i) }, (_, j) =>
        host.registry.call('minimal', 'create', { request, credentials: { login: `user-${i + j}`, secret: 'x' }, kuid: `kuid-${i + j}`, strategy: 'minimal' }),
      ),
    );
  }
}

function section(results: Record<string, RunResult[]>, sequentialCalls: number, concurrentMs: number): BenchSection {
  const baseRuns = results['in-process']!;
  const isoRuns = results.isolate!;
  const base = summarize(baseRuns);
  const iso = summarize(isoRuns);
  const overheadUs = iso.seqP50.median - base.seqP50.median;
  const perRun = (runs: RunResult[], key: keyof RunResult) => runs.map((run) => run[key]);
  return {
    bench: 'rpc',
    title: `in-process: a strategy's exists() through its isolate vs the same storage read in the kernel; ${sequentialCalls} sequential calls, then ${IN_FLIGHT} in flight for ${concurrentMs} ms`,
    rows: [
      {
        measure: 'strategy call through the isolate: sequential p50',
        portcullis: { value: iso.seqP50, unit: 'µs' },
        baseline: { name: 'same read in-process', value: base.seqP50, unit: 'µs' },
        ratio: pairedRatios(perRun(baseRuns, 'seqP50'), perRun(isoRuns, 'seqP50')),
        target: `p50 overhead <= ${OVERHEAD_TARGET_US} µs (here ${overheadUs.toFixed(1)} µs)`,
        met: overheadUs <= OVERHEAD_TARGET_US,
        detail: { overheadUs, isolate: iso, inProcess: base },
      },
      {
        measure: `strategy calls through the isolate: ${IN_FLIGHT} in flight`,
        portcullis: { value: iso.conRate, unit: 'calls/s' },
        baseline: { name: 'same read in-process', value: base.conRate, unit: 'calls/s' },
        ratio: pairedRatios(perRun(baseRuns, 'conRate'), perRun(isoRuns, 'conRate')),
        target: `>= ${RATE_TARGET.toLocaleString('en-US')} calls/s`,
        met: iso.conRate.median >= RATE_TARGET,
      },
    ],
  };
}
