/**
 * Per-account throttling of logins, kept in the plugin's namespace. Every
 * attempt is counted before the password is checked, atomically (one
 * storage increment), and admitted only while the attempts of its window
 * and of the window before add up to at most `maxFailures`: so even
 * concurrent attempts get at most `maxFailures` bcrypt compares in any
 * span of one window's length, around a window's edge included (fixed
 * windows alone let twice as many through there). Past that they are
 * refused without hashing. Counted for any username, existing or not, so a
 * lockout reveals nothing; a success clears the count.
 *
 * Windows are fixed (window n covers [n * windowMs, (n + 1) * windowMs)),
 * and each (username, window) has its own record: a new window starts at
 * zero without a reset, so concurrent attempts at a window's edge cannot
 * reset a count twice. Admitting an attempt is the increment and a read of
 * the window before, sent at once (and beside the credentials read): no
 * storage call waits for another. Records older than the window before are
 * swept once per window, in the background: a flood of made-up usernames
 * leaves many, and no login waits for their deletion.
 *
 * Records are keyed by a digest of the username: attempted names (sometimes
 * a password typed into the wrong field) are not kept in clear.
 */
import { createHash } from 'node:crypto';
import type { Repository } from '@portcullis/sdk-plugin';

/** What the throttle needs of its collection (declared with an index on `window`). */
export type FailureRecords = Pick<Repository, 'increment' | 'get' | 'delete' | 'search'>;

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
    const [attempts, previous] = await Promise.all([
      this.failures.increment(keyOf(username, window), 'count', 1, { window }),
      this.failures.get(keyOf(username, window - 1)),
    ]);
    const before = typeof previous?._source.count === 'number' ? previous._source.count : 0;
    if (before + attempts <= this.maxFailures) return 0;
    // The next window counts this one's attempts as its window before: room is left only if they are under the limit.
    const end = (window + 1) * this.windowMs;
    return Math.max(1000, (attempts < this.maxFailures ? end : end + this.windowMs) - now);
  }

  /** Resolves when no sweep is under way (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.#sweeping;
  }

  /** A successful login (or reset): the account starts afresh (both counted windows, deleted at once). */
  async clear(username: string): Promise<void> {
    const window = Math.floor(this.now() / this.windowMs);
    await Promise.all([this.failures.delete(keyOf(username, window)), this.failures.delete(keyOf(username, window - 1))]);
  }

  /** Deletes the records of windows before the window before `window`: they can never refuse anyone again. */
  async #sweep(window: number): Promise<void> {
    for (;;) {
      const { hits } = await this.failures.search({ where: { window: { lt: window - 1 } }, size: SWEEP_PAGE });
      for (const record of hits) await this.failures.delete(record._id);
      if (hits.length < SWEEP_PAGE) return;
    }
  }
}

function keyOf(username: string, window: number): string {
  return `${createHash('sha256').update(username).digest('hex')}.${window}`;
}
