/**
 * Keeps a crash-looping plugin from burning the kernel's CPU: a crash after
 * a crash-free minute costs nothing (a replacement starts at once); each
 * crash less than a minute after the one before it holds the plugin
 * unavailable, and its replacement waits, for a window that doubles (250 ms,
 * 500 ms, ... capped at 30 s), so clients get a quick 503 instead of respawn
 * after respawn. A plugin that never stops crashing ends up restarted every
 * 30 s: the streak only ends with a minute free of crashes.
 */
const QUIET_MS = 60_000;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export class CrashBackoff {
  #crashes: number[] = [];
  /** Crashes in a row, each within a minute of the one before. */
  #streak = 0;
  #until = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Records a crash; returns the backoff now in force, in ms (0 for none). */
  record(): number {
    const at = this.now();
    const last = this.#crashes.at(-1);
    this.#streak = last !== undefined && at - last < QUIET_MS ? this.#streak + 1 : 1;
    this.#crashes = this.#crashes.filter((t) => at - t < QUIET_MS);
    this.#crashes.push(at);
    const backoff = this.#streak === 1 ? 0 : Math.min(FIRST_BACKOFF_MS * 2 ** (this.#streak - 2), MAX_BACKOFF_MS);
    this.#until = at + backoff;
    return backoff;
  }

  /** Milliseconds left before calls are let through again. */
  remaining(): number {
    return Math.max(0, this.#until - this.now());
  }

  /** Whether the plugin is in a streak of crashes (the last one within a minute): each replacement waits out a window. */
  looping(): boolean {
    const last = this.#crashes.at(-1);
    return this.#streak >= 2 && last !== undefined && this.now() - last < QUIET_MS;
  }

  /** Crashes within the last minute. */
  recent(): number {
    const at = this.now();
    return this.#crashes.filter((t) => at - t < QUIET_MS).length;
  }
}
