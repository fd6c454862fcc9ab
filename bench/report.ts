/**
 * The shape every benchmark answers, so `make bench` can print one table
 * and write one JSON file (bench/run.ts). A bench module exports a function
 * `(options: BenchOptions) => Promise<BenchSection>` and runs nothing at import.
 */
import type { Spread } from './stats.js';

export interface BenchOptions {
  /** A few seconds in all, to keep the bench from rotting (`make bench-smoke`); figures mean nothing. */
  smoke: boolean;
  /** How many runs each figure is the median of (>= 3 in a full run, 1 in smoke mode). */
  runs: number;
  /** Node flags for the kernel process, e.g. `--cpu-prof` (profile where a target is missed). */
  kernelNodeArgs: string[];
}

export interface Figure {
  /** Median (min-max) over the runs. */
  value: Spread;
  /** e.g. 'logins/s', 'req/s', 'ms', 'MB', 'µs'. */
  unit: string;
}

export interface BenchRow {
  /** What is measured, e.g. 'password login, 32 in flight'. */
  measure: string;
  /** Portcullis's figure. */
  portcullis: Figure;
  /** What it is compared with, measured in the same run (raw bcrypt, bare hono, 1,000 users, Better Auth). */
  baseline?: Figure & { name: string };
  /** Portcullis vs the baseline, per paired run: median (min-max). As a fraction (0.97 = 97%). */
  ratio?: Spread;
  /** The target in words, e.g. '>= 97% of raw bcrypt'; absent when there is none (a peer's ratio is reported either way). */
  target?: string;
  /** Whether the median meets the target. */
  met?: boolean;
  /** Per-run values and anything else worth keeping in the JSON (CPU per request, ...). */
  detail?: Record<string, unknown>;
}

export interface BenchSection {
  /** Short id: 'rpc', 'requests', 'login', 'coldstart', 'memory', 'scale', 'peer'. */
  bench: string;
  /** One line on what was measured and how (load, connections, durations). */
  title: string;
  rows: BenchRow[];
}
