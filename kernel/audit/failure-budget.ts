/**
 * How many failure events the audit log writes one by one: a bucket of
 * `burst` events refilled at `perSecond`. Failures (rights denials, failed
 * logins) are what anyone can cause without credentials, as fast as the
 * network allows; past the budget they are counted instead of written, so a
 * flood costs neither a write per request nor the disk.
 */
export class FailureBudget {
  #available: number;
  #at: number;

  constructor(
    readonly burst: number,
    readonly perSecond: number,
    now: number,
  ) {
    this.#available = burst;
    this.#at = now;
  }

  /** Whether one more failure may be written at `now` (ms); spends it if so. */
  take(now: number): boolean {
    // A clock that steps back refills nothing.
    const elapsed = Math.max(0, now - this.#at);
    this.#available = Math.min(this.burst, this.#available + (elapsed / 1000) * this.perSecond);
    this.#at = Math.max(this.#at, now);
    if (this.#available < 1) return false;
    this.#available -= 1;
    return true;
  }
}
