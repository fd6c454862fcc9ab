import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('benchmarks in smoke mode', () => {
  it('bench/rpc --smoke runs end to end and prints both targets, so the benchmark cannot rot', async () => {
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['--conditions=source', 'bench/rpc.ts', '--smoke'], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout).toContain('sequential p50');
    expect(stdout).toMatch(/target p50 overhead <= 100 µs: [\d.]+ µs/);
    expect(stdout).toMatch(/target >= 50,000 calls\/s with 64 in flight: \d+/);
  }, 90_000);

  it('bench/login --smoke runs end to end and prints its target', async () => {
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['--conditions=source', 'bench/login.ts', '--smoke'], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout).toContain('logins vs bcrypt');
    expect(stdout).toMatch(/target >= 97% of raw bcrypt with 32 in flight: [\d.]+%/);
  }, 90_000);
});
