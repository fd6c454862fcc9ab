/**
 * Starts a plugin's threads, one at a time: at boot, to keep `threads.min`
 * running, and up to `threads.max` while calls wait. The kernel owns every
 * start (Piscina's `minThreads` is 0) so that a replacement after a crash
 * waits out the crash backoff instead of respawning in a tight loop.
 *
 * Piscina starts a thread only to run a task, so a start is a `describe`
 * task that a balancer routes to the new thread alone. A start that does not
 * bring up a ready thread within its deadline is abandoned, so nothing can
 * wedge the supply.
 */
import type { Piscina } from 'piscina';
import type { PluginTask } from '@portcullis/sdk-plugin/protocol';

export interface SupplyPolicy {
  min: number;
  max: number;
  /** Longest a start may take: hello, init, ready. */
  startTimeoutMs: number;
  /** Whether starting threads is allowed now (not failed or stopping). */
  active(): boolean;
  /** Whether calls are waiting for a thread. */
  demand(): boolean;
  /** Milliseconds to wait before the next start (crash backoff). */
  delay(): number;
  /**
   * Whether a thread is gone whose end is not recorded yet: Piscina drops a
   * thread that threw before its port closes, and the crash recorded then
   * may lengthen the backoff. The close replenishes.
   */
  settling(): boolean;
  /** A start gave no ready thread in time; `stuck` are the threads it started, to be stopped. */
  onStartTimeout(stuck: number[]): void;
}

export class ThreadSupply {
  #pool: Piscina | null = null;
  /** Threads that existed when the current start began; the new one is the thread not in it. */
  #startingFrom: Set<number> | null = null;
  #abort: AbortController | null = null;
  #deadline: NodeJS.Timeout | null = null;
  #scheduled: NodeJS.Timeout | null = null;

  constructor(private readonly policy: SupplyPolicy) {}

  attach(pool: Piscina): void {
    this.#pool = pool;
    // A thread's channel closes before Piscina drops the dead thread from
    // `pool.threads`, so look again once it has (Piscina emits this just
    // before removing it, hence the next tick).
    pool.on('workerDestroy', () => setImmediate(() => this.replenish()));
  }

  /** Piscina's balancer: the start task goes to the new thread only. */
  pick<W extends { id: number }>(workers: W[]): W | null {
    const before = this.#startingFrom;
    return before === null ? null : (workers.find((worker) => !before.has(worker.id)) ?? null);
  }

  /** True if `threadId` is the thread the current start is bringing up. */
  isStarting(threadId: number): boolean {
    return this.#startingFrom !== null && !this.#startingFrom.has(threadId);
  }

  /** Starts a thread now if one is wanted and none is starting. */
  start(): void {
    const pool = this.#pool;
    if (pool === null || this.#startingFrom !== null || !this.policy.active() || this.policy.settling() || pool.threads.length >= this.policy.max) return;
    const abort = new AbortController();
    this.#startingFrom = new Set(pool.threads.map((thread) => thread.threadId));
    this.#abort = abort;
    this.#deadline = setTimeout(() => {
      // A thread stuck in init would hold a slot for good: the isolate stops it.
      const stuck = pool.threads.filter((thread) => this.isStarting(thread.threadId)).map((thread) => thread.threadId);
      this.abandon();
      this.policy.onStartTimeout(stuck);
    }, this.policy.startTimeoutMs);
    pool
      .run({ method: 'describe', params: {} } satisfies PluginTask, { signal: abort.signal })
      .catch(() => undefined)
      .finally(() => {
        if (this.#abort === abort) this.#settle();
        this.replenish();
      });
  }

  /** The thread being started failed or went away: forget the start (and its queued task). */
  abandon(): void {
    const abort = this.#abort;
    this.#settle();
    abort?.abort();
  }

  /** Schedules a start, after the backoff, if fewer than `min` threads run or calls wait. */
  replenish(): void {
    const pool = this.#pool;
    if (pool === null || this.#scheduled !== null || !this.policy.active() || this.policy.settling()) return;
    const threads = pool.threads.length;
    if (threads >= this.policy.min && !(this.policy.demand() && threads < this.policy.max)) return;
    this.#scheduled = setTimeout(() => {
      this.#scheduled = null;
      // A crash since this was scheduled may have lengthened the backoff: wait out the rest.
      if (this.policy.delay() > 0) this.replenish();
      else this.start();
    }, this.policy.delay());
  }

  stop(): void {
    if (this.#scheduled !== null) clearTimeout(this.#scheduled);
    this.#scheduled = null;
    this.abandon();
  }

  #settle(): void {
    if (this.#deadline !== null) clearTimeout(this.#deadline);
    this.#deadline = null;
    this.#startingFrom = null;
    this.#abort = null;
  }
}
