/**
 * The isolate's side of host calls: typed calls to the kernel's host
 * services over the thread's channel, each settled by its reply or its
 * deadline. Plugin code never sees this class; it uses the clients built on
 * it (Repository, password, users, log) through its `context`.
 */
import type { MessagePort } from 'node:worker_threads';
import { AwakeWindow, CROWDED_CALLS, SLOW_HOST_METHODS } from './awake-window.js';
import { PluginError } from './errors.js';
import type { HostApi, HostCall, HostLog, HostMethod, HostReply, LogLevel } from './protocol.js';

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  /** Answered within microseconds (storage, users, ...), unlike bcrypt. */
  quick: boolean;
}

export class HostChannel {
  readonly #port: MessagePort;
  readonly #plugin: string;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, PendingCall>();
  #quickCalls = 0;
  /** Kernel tasks this thread is serving. */
  #tasks = 0;
  // Never while a bcrypt call of this thread is out (the CPU is busy with bcrypt, and polling
  // would take from it), nor while the thread is crowded with tasks (awake-window.ts).
  readonly #awake = new AwakeWindow(() => this.#quickCalls === this.#pending.size && this.#tasks < CROWDED_CALLS);
  #nextId = 1;

  constructor(port: MessagePort, plugin: string, timeoutMs: number) {
    this.#port = port;
    this.#plugin = plugin;
    this.#timeoutMs = timeoutMs;
    // The channel also carries kernel tasks; those are the runtime's, not ours.
    port.on('message', (message: HostReply | { type?: unknown }) => {
      if (message.type === 'reply') this.#settle(message as HostReply);
    });
  }

  /** Calls a host service; rejects with the service's error or on deadline. */
  call<M extends HostMethod>(method: M, params: HostApi[M]['params']): Promise<HostApi[M]['result']> {
    const id = this.#nextId++;
    return new Promise<HostApi[M]['result']>((resolve, reject) => {
      // A kernel that stops answering must not hang the plugin forever.
      const timer = setTimeout(() => {
        this.#forget(id);
        reject(new PluginError('plugin.runtime.timeout', this.#plugin, `host:${method}`, this.#timeoutMs));
      }, this.#timeoutMs);
      const quick = !SLOW_HOST_METHODS.has(method);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, quick });
      if (quick) this.#quickCalls++;
      try {
        this.#port.postMessage({ type: 'call', id, method, params } as HostCall);
      } catch (error) {
        // Params that cannot cross the port (a function, a class instance...).
        this.#forget(id);
        clearTimeout(timer);
        reject(new PluginError('api.assert.invalid_argument', `${method} params`, `plain data (${(error as Error).message})`));
        return;
      }
      if (quick) this.#awake.extend();
    });
  }

  /** Whether this thread is polling now (awake-window.ts). */
  get polling(): boolean {
    return this.#awake.polling;
  }

  /** A kernel task begins on this thread. */
  taskStarted(): void {
    this.#tasks++;
  }

  /** A task's result was posted: the thread polls briefly, since the next task is often near. */
  taskPosted(): void {
    this.#tasks--;
    this.#awake.extend();
  }

  /** Sends a log line; the kernel tags it with the plugin name. */
  log(level: LogLevel, message: string): void {
    const line: HostLog = { type: 'log', level, message: String(message) };
    this.#port.postMessage(line);
  }

  #settle(reply: HostReply): void {
    const pending = this.#forget(reply.id);
    if (pending === undefined) return; // already timed out
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(PluginError.fromWire(reply.error));
  }

  #forget(id: number): PendingCall | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    if (pending.quick) this.#quickCalls--;
    return pending;
  }
}
