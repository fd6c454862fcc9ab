import { EventEmitter } from 'node:events';
import type { Piscina } from 'piscina';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThreadSupply, type SupplyPolicy } from '../../kernel/plugins/thread-supply.js';

/** What ThreadSupply uses of Piscina: its threads, `run`, and `workerDestroy`. */
class FakePool extends EventEmitter {
  threads: Array<{ threadId: number }> = [];
  starts = 0;
  run(): Promise<unknown> {
    this.starts++;
    return new Promise(() => undefined);
  }
}

describe('ThreadSupply', () => {
  let pool: FakePool;
  let until: number;
  let settling: boolean;
  let supply: ThreadSupply;
  beforeEach(() => {
    vi.useFakeTimers();
    pool = new FakePool();
    until = 0;
    settling = false;
    const policy: SupplyPolicy = {
      min: 1,
      max: 1,
      startTimeoutMs: 60_000,
      active: () => true,
      demand: () => false,
      delay: () => Math.max(0, until - Date.now()),
      settling: () => settling,
      onStartTimeout: () => undefined,
    };
    supply = new ThreadSupply(policy);
    supply.attach(pool as unknown as Piscina);
  });
  afterEach(() => {
    supply.stop();
    vi.useRealTimers();
  });

  it('waits out a backoff that a crash lengthened after the start was scheduled', () => {
    until = Date.now() + 250;
    supply.replenish();
    until = Date.now() + 1000;
    vi.advanceTimersByTime(999);
    expect(pool.starts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pool.starts).toBe(1);
  });

  it('starts nothing while a gone thread is not yet recorded; the record replenishes', () => {
    settling = true;
    supply.replenish();
    supply.start();
    vi.advanceTimersByTime(60_000);
    expect(pool.starts).toBe(0);
    // Its port closed: the crash is recorded with its window, then replenish.
    settling = false;
    until = Date.now() + 500;
    supply.replenish();
    vi.advanceTimersByTime(499);
    expect(pool.starts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pool.starts).toBe(1);
  });
});
