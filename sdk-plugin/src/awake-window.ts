/**
 * Keeps a thread's event loop polling for a short while after it posts on a
 * channel, while a quick answer is awaited.
 *
 * Why: waking an idle thread costs 60-70 µs per message on this class of
 * 2-vCPU virtual machine (the vCPU halts and must be interrupted), and a
 * strategy call that reads storage crosses the boundary four times. Measured
 * here: one call with one host call took ~150 µs p50 with threads sleeping
 * between messages, ~13 µs with a 150 µs awake window on both sides.
 *
 * Why never while bcrypt works: polling is CPU spent on nothing, and while
 * a thread waits for a bcrypt answer (50 ms or more) the machine is busy
 * with bcrypt. Polling then cost a login about 0.5 ms of CPU over both
 * threads, taken from the compares (bench/login).
 *
 * How: while a setImmediate is pending, libuv polls with a zero timeout, so
 * the thread never sleeps yet keeps serving every other event. The window
 * ends WINDOW_US after the last post, or as soon as its owner says there is
 * nothing worth polling for.
 */
const WINDOW_US = 150;

/**
 * Calls in flight from which no thread polls. With that many under way a
 * thread that sleeps is woken by the next of many messages, and the wake-up
 * overlaps the other calls' work: throughput does not suffer, while polling
 * takes CPU from the other threads (the kernel's, the plugin's, the
 * clients') on a machine with fewer cores than busy threads. Measured on
 * bench/requests' plugin round trip, 32 connections: about 18 µs of CPU a
 * request, a fifth of it.
 */
export const CROWDED_CALLS = 8;

/** Host calls whose answer takes milliseconds (bcrypt): no thread stays awake for those. */
export const SLOW_HOST_METHODS: ReadonlySet<string> = new Set(['password.hash', 'password.verify']);

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

export class AwakeWindow {
  #until = 0;
  #polling = false;
  readonly #tick = (): void => {
    if (nowUs() < this.#until && this.awaiting()) setImmediate(this.#tick);
    else this.#polling = false;
  };

  /** `awaiting`: whether polling may pay off now (no bcrypt work of this thread's under way). */
  constructor(private readonly awaiting: () => boolean) {}

  /** Whether this thread is polling now. */
  get polling(): boolean {
    return this.#polling;
  }

  /** Stays awake for the next WINDOW_US microseconds, or until nothing is awaited. */
  extend(): void {
    this.#until = nowUs() + WINDOW_US;
    if (this.#polling) return;
    this.#polling = true;
    setImmediate(this.#tick);
  }
}
