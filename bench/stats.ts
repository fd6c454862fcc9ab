/** Timing helpers for the benchmarks: latencies in microseconds, rates in calls/s. */

export interface RunResult {
  seqP50: number;
  seqP99: number;
  seqRate: number;
  conP50: number;
  conP99: number;
  conRate: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

const nowUs = () => Number(process.hrtime.bigint()) / 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** `calls` one after another, then `inFlight` at a time for `durationMs`. */
export async function measure(
  call: (i: number) => Promise<unknown>,
  calls: number,
  inFlight: number,
  durationMs: number,
): Promise<RunResult> {
  for (let i = 0; i < Math.min(200, calls); i++) await call(i); // warm-up
  const sequential: number[] = [];
  const seqStart = nowUs();
  for (let i = 0; i < calls; i++) {
    const t = nowUs();
    await call(i);
    sequential.push(nowUs() - t);
  }
  const seqElapsed = nowUs() - seqStart;
  const concurrent = await saturate(call, inFlight, durationMs);
  sequential.sort((a, b) => a - b);
  return {
    seqP50: percentile(sequential, 50),
    seqP99: percentile(sequential, 99),
    seqRate: (calls / seqElapsed) * 1e6,
    ...concurrent,
  };
}

/** Keeps `inFlight` calls running until `durationMs` has passed. */
async function saturate(call: (i: number) => Promise<unknown>, inFlight: number, durationMs: number) {
  const latencies: number[] = [];
  const end = nowUs() + durationMs * 1000;
  let next = 0;
  const start = nowUs();
  const lane = async () => {
    while (nowUs() < end) {
      const t = nowUs();
      await call(next++);
      latencies.push(nowUs() - t);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = nowUs() - start;
  latencies.sort((a, b) => a - b);
  return { conP50: percentile(latencies, 50), conP99: percentile(latencies, 99), conRate: (latencies.length / elapsed) * 1e6 };
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

export function summarize(runs: RunResult[]): Record<keyof RunResult, Spread> {
  const keys = ['seqP50', 'seqP99', 'seqRate', 'conP50', 'conP99', 'conRate'] as const;
  return Object.fromEntries(keys.map((k) => [k, spread(runs.map((r) => r[k]))])) as Record<keyof RunResult, Spread>;
}

/**
 * `other[i] / base[i]` for runs taken side by side: a noisy neighbour slows
 * both runs of a pair alike, so the spread of these ratios is tighter than
 * the ratio of two medians.
 */
export function pairedRatios(base: number[], other: number[]): Spread {
  return spread(base.map((value, i) => (other[i] ?? 0) / value));
}
