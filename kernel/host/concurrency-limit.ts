/**
 * At most `limit` operations at once; the rest wait their turn in order.
 * Used per plugin for bcrypt: libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default) is shared by
 * every plugin and the kernel's own file I/O, so one plugin's queue there
 * stays short (see PASSWORD_CONCURRENCY in host-endpoint.ts).
 */
export class ConcurrencyLimit {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await operation();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}
