/**
 * Per-account throttling of failed logins, kept in the plugin's namespace:
 * after `maxFailures` failures within the window, further attempts for that
 * username are refused without hashing until the window ends. Counted for
 * any username, existing or not, so a lockout never reveals whether an
 * account exists; a success clears the count.
 */
import type { Repository } from '@portcullis/sdk-plugin';

interface Failures {
  count: number;
  windowStart: number;
}

export class LoginThrottle {
  constructor(
    private readonly failures: Repository,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `username` may try again; 0 if it may now. */
  async retryAfter(username: string): Promise<number> {
    const current = await this.#current(username);
    if (current === null || current.count < this.maxFailures) return 0;
    return current.windowStart + this.windowMs - this.now();
  }

  async recordFailure(username: string): Promise<void> {
    const current = await this.#current(username);
    const next: Failures = current === null ? { count: 1, windowStart: this.now() } : { ...current, count: current.count + 1 };
    await this.failures.createOrReplace(username, { ...next });
  }

  async reset(username: string): Promise<void> {
    await this.failures.delete(username);
  }

  /** The failures in the current window, or null once it has passed. */
  async #current(username: string): Promise<Failures | null> {
    const doc = await this.failures.get(username);
    if (doc === null) return null;
    const failures = doc._source as unknown as Failures;
    return this.now() - failures.windowStart >= this.windowMs ? null : failures;
  }
}
