/**
 * The kernel's end of one isolate thread's channel: sends tasks and settles
 * them by result, serves the thread's host calls, and learns when the thread
 * is ready. When the thread goes away the port closes, and every call still
 * pending on it settles at once.
 *
 * Everything received is untrusted (see isolate-messages.ts): a malformed
 * message is reported as a violation, and nothing a plugin posts can throw
 * into the kernel.
 */
import type { MessagePort } from 'node:worker_threads';
import { AwakeWindow, CROWDED_CALLS, SLOW_HOST_METHODS } from '@portcullis/sdk-plugin/awake-window';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { PluginDescription, PluginTask, TaskOutcome } from '@portcullis/sdk-plugin/protocol';
import { parseIsolateMessage } from './isolate-messages.js';

/** Serves the host calls of one plugin; bound to its namespace by construction. */
export interface HostEndpoint {
  /** Answers a message from the isolate; null when it needs no reply. */
  handle(message: unknown): Promise<unknown>;
}

export interface ChannelEvents {
  /** The thread's port closed; `expected` when the kernel stopped it on purpose. */
  onClose(channel: IsolateChannel, expected: boolean): void;
  /** The thread broke the protocol. */
  onViolation(channel: IsolateChannel, reason: string): void;
}

interface Pending {
  method: string;
  settle: (outcome: TaskOutcome) => void;
}

export type ChannelState = 'starting' | 'ready' | 'failed' | 'closed';

/** Every open channel of this kernel thread. */
const channels = new Set<IsolateChannel>();
/**
 * One per kernel thread: every channel's posts keep the same event loop
 * awake while some call is under way (its next message is then microseconds
 * away), but never while a plugin's bcrypt work runs (the CPU is busy with
 * it, and polling would take from it) nor while many calls are (awake-window.ts).
 */
const awake = new AwakeWindow(() => {
  let load = 0;
  let slow = false;
  for (const channel of channels) {
    load += channel.load;
    slow ||= channel.slowHostCalls > 0;
  }
  return !slow && load > 0 && load < CROWDED_CALLS;
});

/**
 * Host calls one thread may have in flight. Far above what a strategy call
 * needs (a few), low enough that a plugin cannot queue thousands of bcrypt
 * hashes on the thread pool every plugin and the kernel share.
 */
export const MAX_HOST_CALLS_IN_FLIGHT = 256;

export class IsolateChannel {
  readonly threadId: number;
  /** Resolves with the plugin's description once `init` succeeded; rejects if it failed or the thread died first. */
  readonly ready: Promise<PluginDescription>;
  readonly #plugin: string;
  readonly #port: MessagePort;
  readonly #host: HostEndpoint;
  readonly #pending = new Map<number, Pending>();
  readonly #events: ChannelEvents;
  #nextId = 1;
  #hostCalls = 0;
  #slowHostCalls = 0;
  #state: ChannelState = 'starting';
  /** Set when the kernel stops this thread on purpose; pending calls get this reason. */
  #stopReason: PluginError | null = null;
  #settleReady!: (outcome: TaskOutcome<PluginDescription>) => void;

  constructor(plugin: string, threadId: number, port: MessagePort, host: HostEndpoint, events: ChannelEvents) {
    this.#plugin = plugin;
    this.threadId = threadId;
    this.#port = port;
    this.#host = host;
    this.#events = events;
    this.ready = new Promise<TaskOutcome<PluginDescription>>((resolve) => (this.#settleReady = resolve)).then((outcome) => {
      if (outcome.ok) return outcome.value;
      throw PluginError.fromWire(outcome.error);
    });
    this.ready.catch(() => undefined);
    port.on('message', (message: unknown) => this.#onMessage(message));
    port.once('close', () => this.#closed());
    channels.add(this);
  }

  /** 'ready' only while the thread takes new calls; a thread being stopped takes none. */
  get state(): ChannelState {
    return this.#stopReason !== null && this.#state === 'ready' ? 'closed' : this.#state;
  }

  /** Calls in flight on this thread. */
  get load(): number {
    return this.#pending.size;
  }

  /** Host calls being served that take milliseconds (bcrypt). */
  get slowHostCalls(): number {
    return this.#slowHostCalls;
  }

  /** Sends a task; resolves with its outcome (an error outcome if the thread dies). */
  send(task: PluginTask): Promise<TaskOutcome> {
    const id = this.#nextId++;
    return new Promise((settle) => {
      try {
        this.#port.postMessage({ type: 'task', id, ...task });
      } catch (error) {
        // A value structured cloning refuses (too deep, not cloneable): this call fails, nothing else.
        settle({ ok: false, error: new PluginError('plugin.runtime.unexpected_error', `cannot send "${task.method}" to the isolate: ${(error as Error).name}`).toWire() });
        return;
      }
      this.#pending.set(id, { method: task.method, settle });
      awake.extend();
    });
  }

  /** The kernel is about to stop this thread: pending calls fail with `reason`, and it is no crash. */
  expectStop(reason: PluginError): void {
    this.#stopReason ??= reason;
  }

  #onMessage(message: unknown): void {
    try {
      const parsed = parseIsolateMessage(message, this.#plugin);
      switch (parsed.kind) {
        case 'result':
          this.#settle(parsed.id, parsed.outcome);
          return;
        case 'ready':
          this.#ready(parsed.outcome);
          return;
        case 'host':
          void this.#serveHost(parsed.message);
          return;
        case 'malformed':
          this.#events.onViolation(this, parsed.reason);
          return;
        default:
          parsed satisfies never;
      }
    } catch (error) {
      this.#events.onViolation(this, `a message the kernel could not read (${String(error).slice(0, 200)})`);
    }
  }

  async #serveHost(message: unknown): Promise<void> {
    const id = (message as { id?: unknown }).id;
    if (this.#hostCalls >= MAX_HOST_CALLS_IN_FLIGHT && Number.isSafeInteger(id)) {
      const busy = new PluginError('plugin.runtime.unavailable', this.#plugin, `more than ${MAX_HOST_CALLS_IN_FLIGHT} host calls in flight on one thread`);
      this.#post({ type: 'reply', id, ok: false, error: busy.toWire() });
      return;
    }
    const slow = SLOW_HOST_METHODS.has(String((message as { method?: unknown }).method));
    this.#hostCalls++;
    if (slow) this.#slowHostCalls++;
    try {
      const reply = await this.#host.handle(message);
      if (reply !== null) this.#post(reply);
    } finally {
      this.#hostCalls--;
      if (slow) this.#slowHostCalls--;
    }
  }

  #post(message: unknown): void {
    if (this.#state === 'closed') return;
    this.#port.postMessage(message);
    awake.extend();
  }

  #settle(id: number, outcome: TaskOutcome): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.settle(outcome);
  }

  #ready(outcome: TaskOutcome<PluginDescription>): void {
    if (this.#state !== 'starting') return;
    this.#state = outcome.ok ? 'ready' : 'failed';
    this.#settleReady(outcome);
  }

  #closed(): void {
    const expected = this.#stopReason !== null;
    const wasStarting = this.#state === 'starting';
    this.#state = 'closed';
    channels.delete(this);
    if (wasStarting) {
      this.#settleReady(failure(this.#stopReason ?? new PluginError('plugin.runtime.unexpected_error', `${this.#plugin}: its isolate stopped during init`)));
    }
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      const reason = this.#stopReason ?? new PluginError('plugin.runtime.unexpected_error', `${this.#plugin}: its isolate stopped during "${pending.method}"`);
      pending.settle(failure(reason));
    }
    this.#events.onClose(this, expected);
  }
}

function failure(error: PluginError): TaskOutcome<never> {
  return { ok: false, error: error.toWire() };
}
