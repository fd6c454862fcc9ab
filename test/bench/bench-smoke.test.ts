import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchSection } from '../../bench/report.js';
import { removeTempDirs, tempDir } from '../helpers/fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `make bench-smoke`: every bench for a few seconds, as `make bench` runs
 * them, so none can rot. The HTTP benches start `node dist/kernel/main.js`:
 * the global setup builds it first.
 */
describe('make bench-smoke', () => {
  let stdout = '';
  let out = '';
  let report: { machine: { cpus: number }; sections: BenchSection[] };
  const section = (bench: string): BenchSection => {
    const found = report.sections.find((candidate) => candidate.bench === bench);
    if (found === undefined) throw new Error(`no ${bench} section`);
    return found;
  };

  beforeAll(async () => {
    out = join(tempDir('portcullis-bench-smoke-'), 'bench.json');
    ({ stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['--conditions=source', 'bench/run.ts', '--smoke', '--out', out], { cwd: root, timeout: 240_000 }));
    report = JSON.parse(readFileSync(out, 'utf8')) as typeof report;
  }, 300_000);
  afterAll(removeTempDirs);

  it('runs every bench and writes one JSON file of measured figures, and prints its table', () => {
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.sections.map((candidate) => candidate.bench)).toEqual(['rpc', 'requests', 'login', 'coldstart', 'memory', 'scale', 'peer']);
    for (const { bench, rows } of report.sections) {
      expect(rows.length, bench).toBeGreaterThan(0);
      for (const row of rows) {
        // A figure was measured: positive and finite (a bench that got an error answer throws instead).
        expect(row.portcullis.value.median, `${bench}: ${row.measure}`).toBeGreaterThan(0);
        expect(Number.isFinite(row.portcullis.value.median), `${bench}: ${row.measure}`).toBe(true);
        if (row.baseline !== undefined) expect(row.baseline.value.median, `${bench}: ${row.measure}`).toBeGreaterThan(0);
        if (row.target !== undefined) expect(typeof row.met, `${bench}: ${row.measure}`).toBe('boolean');
      }
    }
    // The printed table is the markdown written next to the JSON.
    expect(stdout).toContain(readFileSync(out.replace(/\.json$/, '.md'), 'utf8').trim());
  });

  it('measures logins at 8 and 32 in flight against raw bcrypt, and requests with and without a plugin against bare hono', () => {
    expect(section('login').rows.map((row) => row.measure)).toEqual(['password login: POST /_login/local, 8 in flight', 'password login: POST /_login/local, 32 in flight']);
    expect(section('login').rows.every((row) => row.target === '>= 97% of raw bcrypt')).toBe(true);
    expect(section('requests').rows.map((row) => row.target)).toEqual(['>= 70% of bare hono', '>= 35% of bare hono']);
    expect(section('requests').rows[1]!.measure).toContain('GET /credentials/local/:id/_exists');
  });

  it('times a kernel process to listening and to its first login, next to a bare node start', () => {
    const rows = section('coldstart').rows;
    expect(rows.map((row) => row.target)).toEqual(['<= 500 ms', '<= 500 ms', undefined]);
    // The first login comes after listening, on the same process.
    expect(rows[2]!.portcullis.value.median).toBeGreaterThan(rows[0]!.portcullis.value.median);
  });

  it('reads the RSS of kernels with no plugin and with one, per worker thread', () => {
    const rows = section('memory').rows;
    expect(rows).toHaveLength(2);
    expect(rows[1]!.measure).toContain('(threads: 1)');
    expect(rows[1]!.target).toBe('<= 25 MB per isolate');
  });

  it('seeds two namespaces in bulk and compares login and _exists p50 on them', () => {
    const rows = section('scale').rows;
    expect(rows.map((row) => row.measure).slice(0, 2)).toEqual(['login p50, 10k vs 1k users', '_exists p50, 10k vs 1k users']);
    expect(rows[0]!.target).toBe('within 10%');
    // The larger data dir holds the seeded users (the bench also logged in as the last one).
    expect(rows[3]!.portcullis.value.median).toBeGreaterThan(rows[3]!.baseline!.value.median);
  });

  it('logs in and checks sessions on a kernel process and a Better Auth process, and answers both ratios, with no target', () => {
    const rows = section('peer').rows;
    expect(rows.map((row) => row.measure)).toEqual(['login vs Better Auth', 'session check vs Better Auth']);
    for (const row of rows) {
      expect(row.baseline!.name).toBe('Better Auth');
      expect(row.target).toBeUndefined();
      // One paired run in smoke mode: the ratio is Portcullis's rate over Better Auth's.
      expect(row.ratio!.median).toBeCloseTo(row.portcullis.value.median / row.baseline!.value.median, 6);
    }
  });
});
