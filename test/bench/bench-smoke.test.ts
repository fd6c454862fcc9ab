import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchSection } from '../../bench/report.js';
import { removeTempDirs, tempDir } from '../helpers/fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

afterAll(removeTempDirs);

// `make bench-smoke`: every bench for a few seconds, as `make bench` runs them. The HTTP
// benches start `node dist/kernel/main.js`: the global setup builds it first.
describe('make bench-smoke', () => {
  it('runs every benchmark end to end and writes one table and one JSON file of measured figures, so no bench can rot', async () => {
    const out = join(tempDir('portcullis-bench-smoke-'), 'bench.json');
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['--conditions=source', 'bench/run.ts', '--smoke', '--out', out], {
      cwd: root,
      timeout: 240_000,
    });
    const report = JSON.parse(readFileSync(out, 'utf8')) as { machine: { cpus: number }; sections: BenchSection[] };
    expect(report.machine.cpus).toBeGreaterThan(0);
    const benches = report.sections.map((section) => section.bench);
    expect(benches).toEqual(['rpc', 'requests', 'login']);
    for (const section of report.sections) {
      for (const row of section.rows) {
        // A figure was measured: positive and finite (a bench that got an error answer throws instead).
        expect(row.portcullis.value.median, `${section.bench}: ${row.measure}`).toBeGreaterThan(0);
        expect(Number.isFinite(row.portcullis.value.median)).toBe(true);
        if (row.baseline !== undefined) expect(row.baseline.value.median).toBeGreaterThan(0);
        if (row.target !== undefined) expect(typeof row.met).toBe('boolean');
      }
    }
    const measures = report.sections.flatMap((section) => section.rows.map((row) => row.measure));
    expect(measures).toEqual(
      expect.arrayContaining([
        'password login: POST /_login/local, 8 in flight',
        'password login: POST /_login/local, 32 in flight',
        'authenticated action: GET /_now, Bearer token of a default user',
        expect.stringContaining('plugin round trip: GET /credentials/local/:id/_exists'),
      ]),
    );
    // The printed table is the markdown written next to the JSON.
    expect(stdout).toContain(readFileSync(out.replace(/\.json$/, '.md'), 'utf8').trim());
  }, 300_000);
});
