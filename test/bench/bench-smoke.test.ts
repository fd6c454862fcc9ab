import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { peerBench } from '../../bench/peer.js';

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

  it('bench/peer in smoke mode logs in and checks sessions on a kernel process and a Better Auth process, and answers both ratios', async () => {
    const section = await peerBench({ smoke: true, runs: 1, kernelNodeArgs: [] });
    expect(section.bench).toBe('peer');
    expect(section.rows.map((row) => row.measure)).toEqual(['login vs Better Auth', 'session check vs Better Auth']);
    for (const row of section.rows) {
      // Measured rates on both sides: autocannon got 2xx answers only (any other answer fails the bench).
      expect(row.portcullis.value.median).toBeGreaterThan(0);
      expect(row.baseline?.name).toBe('Better Auth');
      expect(row.baseline?.value.median).toBeGreaterThan(0);
      expect(row.ratio?.median).toBeCloseTo(row.portcullis.value.median / row.baseline!.value.median, 6);
      // A peer's ratio is reported either way: no target.
      expect(row.target).toBeUndefined();
    }
  }, 90_000);
});
