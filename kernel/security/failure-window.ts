/**
 * Failures counted per key (a client address, an account), and forgiven at
 * a steady rate: up to `limit` failures at once, then one more each
 * `windowMs / limit`. Over any span of time T at most
 * `limit + limit * T / windowMs` failures fit (the burst, then the steady
 * rate), and whoever waits `windowMs / limit` after the failures stop gets
 * a try again: a lockout that ends soon after the attack does.
 *
 * This is a leaky bucket kept as one number per key (GCRA: the instant the
 * key's failures are all forgiven), so a key costs the same however many
 * failures it has, and the wait it answers is exact. Keys are capped at
 * `maxKeys`, the least recently failed evicted first: rotating keys cannot
 * grow memory, at worst it makes the window forget the oldest keys.
 *
 * @example
 * ```ts
 * const window = new FailureWindow({ limit: 10, windowMs: 600_000, maxKeys: 100_000 });
 * if (window.wait('203.0.113.7') === 0) window.take('203.0.113.7');
 * ```
 */
export interface FailureWindowOptions {
  /** Failures accepted at once. */
  limit: number;
  /** How long `limit` failures take to be forgiven, ms. */
  windowMs: number;
  /** Most keys remembered. */
  maxKeys: number;
  /** ms epoch; tests give their own clock. */
  now?: () => number;
}

/** Rounding room: 3 failures of 333.33... ms must fit in 1000 ms. */
const SLACK_MS = 1e-6;

export class FailureWindow {
  readonly #windowMs: number;
  /** Debt (ms of failures not yet forgiven) past which one more failure does not fit. */
  readonly #fullAt: number;
  /** ms forgiven per failure. */
  readonly #interval: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** key -> instant (ms epoch) all its failures are forgiven; in order of last failure, oldest first. */
  readonly #forgivenAt = new Map<string, number>();

  constructor({ limit, windowMs, maxKeys, now = Date.now }: FailureWindowOptions) {
    if (!(limit >= 1 && windowMs > 0 && maxKeys >= 1)) throw new Error('FailureWindow needs limit >= 1, windowMs > 0 and maxKeys >= 1');
    this.#windowMs = windowMs;
    this.#interval = windowMs / limit;
    this.#fullAt = windowMs - this.#interval + SLACK_MS;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  /** ms until one more failure of `key` fits; 0 if it fits now. */
  wait(key: string): number {
    const debt = this.#debt(key, this.#now());
    return debt > this.#fullAt ? debt + this.#interval - this.#windowMs : 0;
  }

  /** Counts a failure of `key`; false (and nothing counted) if it does not fit. */
  take(key: string): boolean {
    const now = this.#now();
    const debt = this.#debt(key, now);
    if (debt > this.#fullAt) return false;
    this.#forgivenAt.delete(key);
    if (this.#forgivenAt.size >= this.#maxKeys) this.#evictOldest();
    this.#forgivenAt.set(key, now + debt + this.#interval);
    return true;
  }

  /** Takes back one failure of `key` (an attempt counted before it turned out not to be one). */
  giveBack(key: string): void {
    const forgivenAt = this.#forgivenAt.get(key);
    if (forgivenAt === undefined) return;
    if (forgivenAt - this.#interval <= this.#now()) this.#forgivenAt.delete(key);
    else this.#forgivenAt.set(key, forgivenAt - this.#interval);
  }

  /** Forgets every failure of `key`. */
  forget(key: string): void {
    this.#forgivenAt.delete(key);
  }

  /** Keys remembered now. */
  get size(): number {
    return this.#forgivenAt.size;
  }

  /** ms of failures not yet forgiven. */
  #debt(key: string, now: number): number {
    const forgivenAt = this.#forgivenAt.get(key);
    return forgivenAt === undefined ? 0 : Math.max(0, forgivenAt - now);
  }

  #evictOldest(): void {
    const oldest = this.#forgivenAt.keys().next();
    if (oldest.done !== true) this.#forgivenAt.delete(oldest.value);
  }
}
