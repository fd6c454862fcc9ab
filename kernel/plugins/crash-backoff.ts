/**
 * Keeps a crash-looping plugin from burning the kernel's CPU: the first
 * crash in a minute costs nothing (a replacement starts at once); from the
 * second on, the plugin is held unavailable, and its replacement waits, for
 * a window that doubles with each crash (250 ms, 500 ms, ... capped at 30 s),
 * so clients get a quick 503 instead of respawn after respawn.
 */
const WINDOW_MS = 60_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export class CrashBackoff {
  #crashes: number[] = [];
  #until = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Records a crash; returns the backoff now in force, in ms (0 for none). */
  record(): number {
    const at = this.now();
    this.#crashes = this.#crashes.filter((t) => at - t < WINDOW_MS);
    this.#crashes.push(at);
    const repeats = this.#crashes.length - 1;
    const backoff = repeats === 0 ? 0 : Math.min(FIRST_BACKOFF_MS * 2 ** (repeats - 1), MAX_BACKOFF_MS);
    this.#until = at + backoff;
    return backoff;
  }

  /** Milliseconds left before calls are let through again. */
  remaining(): number {
    return Math.max(0, this.#until - this.now());
  }

  /** Whether the plugin crashed twice or more in the last minute: each replacement now waits out a window. */
  looping(): boolean {
    return this.recent() >= 2;
  }

  /** Crashes within the last minute. */
  recent(): number {
    const at = this.now();
    return this.#crashes.filter((t) => at - t < WINDOW_MS).length;
  }
}
