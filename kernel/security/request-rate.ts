/**
 * Profiles' `rateLimit`: requests per second per user, Kuzzle's meaning,
 * counted in whole-second windows. Anonymous callers are one user to
 * Kuzzle; here each client IP counts apart, so one noisy client cannot
 * use up every anonymous caller's allowance.
 *
 * Only the current second's counts are kept: memory is bounded by the
 * distinct callers of one second.
 */
export class RequestRate {
  #second = -1;
  readonly #counts = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one request of `caller`; false past `limit` this second. */
  admit(caller: string, limit: number): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#counts.clear();
    }
    const count = (this.#counts.get(caller) ?? 0) + 1;
    this.#counts.set(caller, count);
    return count <= limit;
  }
}
