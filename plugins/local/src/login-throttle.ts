/**
 * Per-account throttling of logins, kept in the plugin's namespace. Every
 * attempt is counted before the password is checked, atomically (one
 * storage increment), so even concurrent attempts get at most `maxFailures`
 * bcrypt compares per window; past that they are refused without hashing
 * until the window ends. Counted for any username, existing or not, so a
 * lockout reveals nothing; a success clears the count.
 *
 * Records are keyed by a digest of the username: attempted names (sometimes
 * a password typed into the wrong field) are not kept in clear.
 */
import { createHash } from 'node:crypto';
import type { Repository } from '@portcullis/sdk-plugin';

export class LoginThrottle {
  constructor(
    private readonly failures: Repository,
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; returns the milliseconds to wait if it is refused, 0 if it may go on. */
  async admit(username: string): Promise<number> {
    const key = keyOf(username);
    const existing = await this.failures.get(key);
    if (existing !== null && this.now() - Number(existing._source.windowStart) >= this.windowMs) await this.failures.delete(key);
    const attempts = await this.failures.increment(key, 'count', 1, { windowStart: this.now() });
    if (attempts <= this.maxFailures) return 0;
    const windowStart = Number((await this.failures.get(key))?._source.windowStart ?? this.now());
    return Math.max(1000, windowStart + this.windowMs - this.now());
  }

  /** A successful login (or reset): the account starts afresh. */
  async clear(username: string): Promise<void> {
    await this.failures.delete(keyOf(username));
  }
}

function keyOf(username: string): string {
  return createHash('sha256').update(username).digest('hex');
}
