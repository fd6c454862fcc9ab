/**
 * Per-account throttling of logins, kept in the plugin's namespace. Every
 * attempt is counted before the password is checked, atomically (one
 * storage increment), so even concurrent attempts get at most `maxFailures`
 * bcrypt compares per window; past that they are refused without hashing
 * until the window ends. Counted for any username, existing or not, so a
 * lockout reveals nothing; a success clears the count.
 *
 * Windows are fixed (window n covers [n * windowMs, (n + 1) * windowMs)),
 * and each (username, window) has its own record: a new window starts at
 * zero without a read or a reset, so admitting an attempt is one storage
 * call, and concurrent attempts at a window's edge cannot reset a count
 * twice. Records of past windows are swept once per window, in the
 * background: a flood of made-up usernames leaves many, and no login waits
 * for their deletion.
 *
 * Records are keyed by a digest of the username: attempted names (sometimes
 * a password typed into the wrong field) are not kept in clear.
 */
import { createHash } from 'node:crypto';
import type { Repository } from '@portcullis/sdk-plugin';

/** What the throttle needs of its collection (declared with an index on `window`). */
export type FailureRecords = Pick<Repository, 'increment' | 'delete' | 'search'>;

/** Past-window records deleted per sweep call; a sweep goes on until none is left. */
const SWEEP_PAGE = 500;

export class LoginThrottle {
  /** The window last swept; a sweep starts on the first attempt of each new one. */
  #swept = -1;
  /** The sweep under way, if any: one at a time. */
  #sweeping: Promise<void> | null = null;

  constructor(
    private readonly failures: FailureRecords,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; returns the milliseconds to wait if it is refused, 0 if it may go on. */
  async admit(username: string): Promise<number> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.#swept && this.#sweeping === null) {
      this.#swept = window;
      // A failed sweep is retried in the next window; the records it left refuse no one.
      this.#sweeping = this.#sweep(window)
        .catch(() => undefined)
        .finally(() => (this.#sweeping = null));
    }
    const attempts = await this.failures.increment(keyOf(username, window), 'count', 1, { window });
    if (attempts <= this.maxFailures) return 0;
    return Math.max(1000, (window + 1) * this.windowMs - now);
  }

  /** Resolves when no sweep is under way (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.#sweeping;
  }

  /** A successful login (or reset): the account starts afresh. */
  async clear(username: string): Promise<void> {
    await this.failures.delete(keyOf(username, Math.floor(this.now() / this.windowMs)));
  }

  /** Deletes the records of windows before `window`: they can never refuse anyone again. */
  async #sweep(window: number): Promise<void> {
    for (;;) {
      const { hits } = await this.failures.search({ where: { window: { lt: window } }, size: SWEEP_PAGE });
      for (const record of hits) await this.failures.delete(record._id);
      if (hits.length < SWEEP_PAGE) return;
    }
  }
}

function keyOf(username: string, window: number): string {
  return `${createHash('sha256').update(username).digest('hex')}.${window}`;
}
