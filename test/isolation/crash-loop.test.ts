/**
 * A plugin crashing in a loop, in a real kernel next to the bundled local
 * plugin: its replacements wait out doubling windows (the kernel's own log
 * records each crash's window and each thread start), `/_healthCheck`
 * reports it as backing off, it serves again once it stops crashing, and
 * logins through the local plugin all succeed meanwhile.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';

const LOOP = 'crash-loop';

interface LogLine {
  time: number;
  msg: string;
  plugin?: string;
  threadId?: number;
  backoffMs?: number;
}

let k: ApiKernel | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await k?.stop();
  k = undefined;
});

async function start(): Promise<{ k: ApiKernel; admin: string }> {
  k = await startApiKernel({ plugins: { [LOOP]: { fixture: 'crash-loop', threads: { min: 1, max: 1 } } } });
  return { k, admin: await k.firstAdmin() };
}

const STARTED = 'plugin thread started';
const CRASHED = 'plugin thread stopped unexpectedly';

/** The kernel's own record of the crash-looping plugin, in order: each thread start, each crash (with the backoff it set). */
function record(kernel: ApiKernel): LogLine[] {
  return kernel
    .logs()
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.plugin === LOOP && (line.msg === STARTED || line.msg === CRASHED));
}

const crashesIn = (events: LogLine[]) => events.filter((event) => event.msg === CRASHED);

/**
 * Starts that came before a window set by an earlier crash was over. A lower
 * bound only (load can only delay a start), less 5 ms for the timer clock's
 * granularity: it cannot flake on a slow machine.
 */
function startsInsideAWindow(events: LogLine[]): LogLine[] {
  return events.filter((start, i) => start.msg === STARTED && events.slice(0, i).some((crash) => crash.msg === CRASHED && start.time < crash.time + crash.backoffMs! - 5));
}

async function loopHealth(kernel: ApiKernel): Promise<{ status: string; plugin: Record<string, unknown> }> {
  const { status, body } = await kernel.call('GET', '/_healthCheck');
  expect(status).toBe(200);
  return { status: body.result.status as string, plugin: body.result.plugins[LOOP] as Record<string, unknown> };
}

const arm = (kernel: ApiKernel, admin: string, crashes: number) => kernel.call('POST', `/_/${LOOP}/loop/arm`, { jwt: admin, body: { crashes } });
const loopLogin = (kernel: ApiKernel) => kernel.call('POST', `/_login/${LOOP}`, { body: { name: 'anyone' } });

describe('a plugin crashing in a loop', () => {
  it('is backed off with doubling windows, reported by /_healthCheck, and serves again once it stops crashing', async () => {
    const { k, admin } = await start();
    expect((await loopHealth(k)).plugin).toMatchObject({ status: 'ready', crashesLastMinute: 0 });
    // The armed thread dies, then 4 replacements die a moment after they are ready: 5 crashes.
    expect((await arm(k, admin, 4)).body.result).toEqual({ armed: 4 });

    // While a window lasts: reported yellow, backing off, and its logins refused at once.
    await expect.poll(async () => (await loopHealth(k)).plugin.retryInMs ?? 0, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    await expect.poll(async () => (await loopLogin(k)).body.error?.id, { timeout: 10_000, interval: 20 }).toBe('plugin.runtime.unavailable');
    const during = await loopHealth(k);
    expect(during.status).toBe('yellow');
    expect(during.plugin).toMatchObject({ status: 'backing-off', crashesLastMinute: expect.any(Number) });

    // Recovered: five crashes, then a thread that lives.
    await expect.poll(() => crashesIn(record(k)).length, { timeout: 10_000 }).toBe(5);
    await expect.poll(async () => (await loopHealth(k)).plugin, { timeout: 10_000 }).toMatchObject({ threads: 1, retryInMs: 0 });
    const events = record(k);
    // One start at boot, then one per crash, each after the window that crash set: no respawn outside the backoff.
    expect(events.map((event) => (event.msg === STARTED ? 'start' : `crash ${event.backoffMs}`))).toEqual([
      'start', 'crash 0', 'start', 'crash 250', 'start', 'crash 500', 'start', 'crash 1000', 'start', 'crash 2000', 'start',
    ]);
    expect(new Set(events.map((event) => event.threadId)).size).toBe(6);
    expect(startsInsideAWindow(events)).toEqual([]);

    // It serves again: its strategy answers (a refusal), no longer a 503.
    expect((await loopLogin(k)).body.error).toMatchObject({ id: 'plugin.strategy.missing_user', status: 401 });
    const recovered = await loopHealth(k);
    expect(recovered.plugin).toMatchObject({ status: 'backing-off', crashesLastMinute: 5, threads: 1, retryInMs: 0 });
    // Reported until a minute passes without a crash: move the kernel's clock on.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const later = await loopHealth(k);
    expect(later.status).toBe('green');
    expect(later.plugin).toEqual({ status: 'ready', threads: 1, crashesLastMinute: 0, strategies: [LOOP] });
  }, 60_000);

  it("fails none of another plugin's logins and keeps its restarts bounded by the backoff", async () => {
    const { k, admin } = await start();
    await k.createUser(admin, 'bob');
    const login = async (): Promise<{ ok: boolean; ms: number }> => {
      const begun = performance.now();
      const { status, body } = await k.call('POST', '/_login/local', { body: { username: 'bob', password: USER_PASSWORD } });
      return { ok: status === 200 && typeof body.result?.jwt === 'string', ms: performance.now() - begun };
    };
    const before: Array<{ ok: boolean; ms: number }> = [];
    for (let i = 0; i < 40; i++) before.push(await login());

    // Crashes without end: every replacement dies a moment after it is ready.
    await arm(k, admin, 1_000_000);
    const during: Array<{ ok: boolean; ms: number }> = [];
    // At least 200 logins, and on until the crash loop has gone through 4 windows (250 to 2000 ms) during them.
    while ((during.length < 200 || crashesIn(record(k)).length < 6) && during.length < 20_000) during.push(await login());
    const ended = Date.now();

    expect(during.filter((attempt) => !attempt.ok)).toEqual([]);
    const events = record(k);
    const crashes = crashesIn(events);
    expect(crashes.length).toBeGreaterThanOrEqual(6);
    // One start per crash (plus the boot's), none inside a window. A respawn
    // every ~30 ms (a thread's life here) would be a hundred restarts over
    // these seconds; the backoff allows 2 + log2(elapsed / 250 ms + 1).
    expect(events.filter((event) => event.msg === STARTED).length).toBeLessThanOrEqual(crashes.length + 1);
    expect(startsInsideAWindow(events)).toEqual([]);
    expect(crashes.length).toBeLessThanOrEqual(3 + Math.log2((ended - crashes[0]!.time) / 250 + 1));
    // A safety net for a kernel-wide slowdown (the main thread kept busy by
    // restarts): medians of 40 and 200+ logins, so a few logins slowed by a
    // thread start or GC do not count, and a 10x bound that machine noise
    // would have to hold for over half of the crash loop only to break. The
    // warm-up makes `before` the slower of the two.
    expect(median(during)).toBeLessThanOrEqual(10 * median(before));
  }, 60_000);
});

function median(attempts: Array<{ ms: number }>): number {
  const sorted = attempts.map((attempt) => attempt.ms).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
