/**
 * Profiles' `rateLimit`: requests per second per user, Kuzzle's meaning,
 * counted in whole-second windows. Anonymous callers are one user to
 * Kuzzle; here each client IP counts apart, so one noisy client cannot
 * use up every anonymous caller's allowance.
 *
 * Only the current second's counts are kept: memory is bounded by the
 * distinct callers of one second.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

export class RequestRate {
  #second = -1;
  readonly #counts = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request of `caller`; 429 `api.process.too_many_requests` past `limit` this second. */
  admit(caller: string, limit: number): void {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#counts.clear();
    }
    const count = (this.#counts.get(caller) ?? 0) + 1;
    this.#counts.set(caller, count);
    if (count > limit) throw new PluginError('api.process.too_many_requests');
  }
}
