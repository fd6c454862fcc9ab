import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { coldStartBench } from '../../bench/coldstart.js';
import { memoryBench } from '../../bench/memory.js';
import type { BenchOptions, BenchSection } from '../../bench/report.js';
import { scaleBench } from '../../bench/scale.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `bench/<name>.ts --smoke` as `make bench-smoke` does; answers what it printed. */
async function smoke(name: string): Promise<string> {
  const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['--conditions=source', `bench/${name}.ts`, '--smoke'], {
    cwd: root,
    timeout: 60_000,
  });
  return stdout;
}

// The HTTP benches start `node dist/kernel/main.js`: the global setup builds it first.
describe('benchmarks in smoke mode', () => {
  it('bench/rpc --smoke runs end to end and prints both targets, so the benchmark cannot rot', async () => {
    const stdout = await smoke('rpc');
    expect(stdout).toContain('sequential p50');
    expect(stdout).toMatch(/target p50 overhead <= 100 µs: [\d.]+ µs/);
    expect(stdout).toMatch(/target >= 50,000 calls\/s with 64 in flight: \d+/);
  }, 90_000);

  it('bench/authreq --smoke loads a kernel process and a bare hono process over HTTP and prints the ratio', async () => {
    const stdout = await smoke('authreq');
    // Both rows hold a measured rate: autocannon got 2xx answers only (any other answer fails the bench).
    expect(stdout).toMatch(/bare hono \(@hono\/node-server\)\S*\s*│\s*'[1-9]\d* \(/);
    expect(stdout).toMatch(/portcullis GET \/_now \(token \+ rights\)\S*\s*│\s*'[1-9]\d* \(/);
    expect(stdout).toMatch(/target >= 70% of bare hono: [\d.]+% -> (met|MISSED)/);
  }, 90_000);

  it('bench/login --smoke logs in over HTTP against a kernel process and prints its target', async () => {
    const stdout = await smoke('login');
    expect(stdout).toContain('POST /_login/local vs raw bcrypt compares at cost 10');
    expect(stdout).toContain('logins vs bcrypt');
    expect(stdout).toMatch(/target >= 97% of raw bcrypt with 32 in flight: [\d.]+% -> (met|MISSED)/);
  }, 90_000);
});

// Cold start, memory and scale export a section for bench/run.ts; run here in smoke mode, in this process.
describe('benchmark sections in smoke mode', () => {
  const smokeOptions: BenchOptions = { smoke: true, runs: 1, kernelNodeArgs: [] };
  /** Every row holds a measured figure; rows with a target say whether it is met. */
  const expectMeasured = (section: BenchSection, bench: string, rows: number) => {
    expect(section.bench).toBe(bench);
    expect(section.rows).toHaveLength(rows);
    for (const row of section.rows) {
      expect(row.portcullis.value.median, row.measure).toBeGreaterThan(0);
      if (row.target !== undefined) expect(typeof row.met, row.measure).toBe('boolean');
    }
  };

  it('bench/coldstart times a kernel process to listening and to its first login, next to a bare node start', async () => {
    const section = await coldStartBench(smokeOptions);
    expectMeasured(section, 'coldstart', 3);
    expect(section.rows.map((row) => row.target)).toEqual(['<= 500 ms', '<= 500 ms', undefined]);
    expect(section.rows[0]!.baseline!.value.median).toBeGreaterThan(0);
    // The first login comes after listening, on the same process.
    expect(section.rows[2]!.portcullis.value.median).toBeGreaterThan(section.rows[0]!.portcullis.value.median);
  }, 90_000);

  it('bench/memory reads the RSS of kernels with no plugin and with one, per worker thread', async () => {
    const section = await memoryBench(smokeOptions);
    expectMeasured(section, 'memory', 2);
    expect(section.rows[1]!.measure).toContain('(threads: 1)');
    expect(section.rows[1]!.target).toBe('<= 25 MB per isolate');
  }, 90_000);

  it('bench/scale seeds two namespaces in bulk and compares login and _exists p50 on them', async () => {
    const section = await scaleBench(smokeOptions);
    expectMeasured(section, 'scale', 5);
    expect(section.rows.map((row) => row.measure).slice(0, 2)).toEqual(['login p50, 10k vs 1k users', '_exists p50, 10k vs 1k users']);
    expect(section.rows[0]!.target).toBe('within 10%');
    // The larger data dir holds the seeded users (the bench also logged in as the last one).
    expect(section.rows[3]!.portcullis.value.median).toBeGreaterThan(section.rows[3]!.baseline!.value.median);
  }, 90_000);
});
