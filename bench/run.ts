/**
 * `make bench`: every benchmark in one run, one table (markdown, printed and
 * written next to the JSON), one JSON file in bench/results/. Every figure is
 * a median (min-max) over runs, next to a baseline measured in the same run:
 * the machine is shared and noisy, so read the ratios, not absolute rates.
 *
 *   make bench              full run (about 15 minutes)
 *   make bench-smoke        a few seconds a bench, so none can rot (the test suite runs it)
 *   --only rpc,login        some benches only
 *   --runs N                runs per figure (default 5, at least 3)
 *   --cpu-prof              kernel processes write CPU profiles (one per thread) to a temp folder when they stop
 *   --out FILE              where the JSON goes (default bench/results/bench-<date>.json; smoke mode writes only with --out)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartBench } from './coldstart.js';
import { loginBench } from './login.js';
import { memoryBench } from './memory.js';
import { peerBench } from './peer.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { requestsBench } from './requests.js';
import { rpcBench } from './rpc.js';
import { scaleBench } from './scale.js';
import type { Spread } from './stats.js';

const BENCHES: Record<string, (options: BenchOptions) => Promise<BenchSection>> = {
  rpc: rpcBench,
  requests: requestsBench,
  login: loginBench,
  coldstart: coldStartBench,
  memory: memoryBench,
  scale: scaleBench,
  peer: peerBench,
};

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function parseOptions(): { options: BenchOptions; only: string[]; out: string | undefined } {
  const smoke = process.argv.includes('--smoke');
  const runs = smoke ? 1 : Number(argument('runs') ?? 5);
  if (!smoke && (!Number.isInteger(runs) || runs < 3)) throw new Error('--runs must be an integer of at least 3: every figure is a median with its spread');
  const only = argument('only')?.split(',') ?? Object.keys(BENCHES);
  const unknown = only.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  let kernelNodeArgs: string[] = [];
  if (process.argv.includes('--cpu-prof')) {
    const dir = mkdtempSync(join(os.tmpdir(), 'portcullis-bench-profile-'));
    console.log(`kernel CPU profiles: ${dir}`);
    kernelNodeArgs = ['--cpu-prof', '--cpu-prof-dir', dir];
  }
  const out = argument('out') ?? (smoke ? undefined : join(fileURLToPath(new URL('results/', import.meta.url)), `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  return { options: { smoke, runs, kernelNodeArgs }, only, out };
}

/** What the figures were measured on: they mean little without it. */
function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
  };
}

function number(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function figure(value: Spread, unit: string): string {
  return `${number(value.median)} ${unit} (${number(value.min)}-${number(value.max)})`;
}

function percent(value: Spread): string {
  const pct = (x: number) => (x * 100).toFixed(1);
  return `${pct(value.median)}% (${pct(value.min)}-${pct(value.max)})`;
}

function verdict(row: BenchRow): string {
  if (row.target === undefined) return '';
  return `${row.target}: ${row.met === true ? 'met' : 'MISSED'}`;
}

/** The table: markdown, readable in a terminal and pasted as is into the README. */
function table(sections: BenchSection[]): string {
  const lines = ['| bench | measure | Portcullis | baseline, same run | Portcullis vs baseline | target |', '|---|---|---|---|---|---|'];
  for (const section of sections) {
    for (const row of section.rows) {
      const baseline = row.baseline === undefined ? '' : `${row.baseline.name}: ${figure(row.baseline.value, row.baseline.unit)}`;
      const cells = [section.bench, row.measure, figure(row.portcullis.value, row.portcullis.unit), baseline, row.ratio === undefined ? '' : percent(row.ratio), verdict(row)];
      lines.push(`| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { options, only, out } = parseOptions();
  const started = new Date();
  const loadBefore = os.loadavg();
  const sections: BenchSection[] = [];
  for (const name of only) {
    const benchStarted = performance.now();
    console.log(`bench ${name}...`);
    sections.push(await BENCHES[name]!(options));
    console.log(`bench ${name}: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  }
  const markdown = table(sections);
  const runs = options.smoke ? '1 run a figure [smoke: figures mean nothing]' : `median (min-max) of ${options.runs} runs`;
  console.log(`\n${started.toISOString().slice(0, 10)}, ${runs}\n`);
  console.log(markdown);
  for (const section of sections) console.log(`- ${section.bench}: ${section.title}`);
  if (out !== undefined) {
    mkdirSync(dirname(out), { recursive: true });
    const loadAverage = { before: loadBefore, after: os.loadavg() };
    writeFileSync(out, `${JSON.stringify({ date: started.toISOString(), machine: machine(), loadAverage, options: { smoke: options.smoke, runs: options.runs }, sections }, null, 2)}\n`);
    writeFileSync(out.replace(/\.json$/, '.md'), `${markdown}\n`);
    console.log(`\nwritten: ${out} (and .md)`);
  }
}

await main();
