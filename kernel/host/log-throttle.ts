/**
 * A token bucket for plugin log lines: a plugin that floods its log cannot
 * flood the kernel's. 200 lines at once, refilled at 100 a second; lines
 * past that are dropped.
 */
const BURST = 200;
const PER_SECOND = 100;

export class LogThrottle {
  #tokens = BURST;
  #last: number;

  constructor(private readonly now: () => number = Date.now) {
    this.#last = now();
  }

  allow(): boolean {
    const at = this.now();
    this.#tokens = Math.min(BURST, this.#tokens + ((at - this.#last) / 1000) * PER_SECOND);
    this.#last = at;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
