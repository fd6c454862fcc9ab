/**
 * The kernel's end of one isolate thread's channel: sends tasks and settles
 * them by result, serves the thread's host calls, and learns when the thread
 * is ready. When the thread goes away the port closes, and every call still
 * pending on it settles at once.
 */
import type { MessagePort } from 'node:worker_threads';
import { AwakeWindow } from '@portcullis/sdk-plugin/awake-window';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { PluginDescription, PluginTask, TaskOutcome } from '@portcullis/sdk-plugin/protocol';

/** Serves the host calls of one plugin; bound to its namespace by construction. */
export interface HostEndpoint {
  /** Answers a message from the isolate; null when it needs no reply. */
  handle(message: unknown): Promise<unknown>;
}

interface Pending {
  method: string;
  settle: (outcome: TaskOutcome) => void;
}

export type ChannelState = 'starting' | 'ready' | 'failed' | 'closed';

/** One per kernel thread: every channel's posts keep the same event loop awake. */
const awake = new AwakeWindow();

export class IsolateChannel {
  readonly threadId: number;
  /** Resolves with the plugin's description once `init` succeeded; rejects if it failed or the thread died first. */
  readonly ready: Promise<PluginDescription>;
  readonly #plugin: string;
  readonly #port: MessagePort;
  readonly #host: HostEndpoint;
  readonly #pending = new Map<number, Pending>();
  readonly #onClose: (channel: IsolateChannel, expected: boolean) => void;
  #nextId = 1;
  #state: ChannelState = 'starting';
  /** Set when the kernel stops this thread on purpose; pending calls get this reason. */
  #stopReason: PluginError | null = null;
  #settleReady!: (outcome: TaskOutcome<PluginDescription>) => void;

  constructor(
    plugin: string,
    threadId: number,
    port: MessagePort,
    host: HostEndpoint,
    onClose: (channel: IsolateChannel, expected: boolean) => void,
  ) {
    this.#plugin = plugin;
    this.threadId = threadId;
    this.#port = port;
    this.#host = host;
    this.#onClose = onClose;
    this.ready = new Promise<TaskOutcome<PluginDescription>>((resolve) => (this.#settleReady = resolve)).then((outcome) => {
      if (outcome.ok) return outcome.value;
      throw PluginError.fromWire(outcome.error);
    });
    this.ready.catch(() => undefined);
    port.on('message', (message: unknown) => this.#onMessage(message));
    port.once('close', () => this.#closed());
  }

  /** 'ready' only while the thread takes new calls; a thread being stopped takes none. */
  get state(): ChannelState {
    return this.#stopReason !== null && this.#state === 'ready' ? 'closed' : this.#state;
  }

  /** Calls in flight on this thread. */
  get load(): number {
    return this.#pending.size;
  }

  /** Sends a task; resolves with its outcome (an error outcome if the thread dies). */
  send(task: PluginTask): Promise<TaskOutcome> {
    const id = this.#nextId++;
    return new Promise((settle) => {
      this.#pending.set(id, { method: task.method, settle });
      this.#port.postMessage({ type: 'task', id, ...task });
      awake.extend();
    });
  }

  /** The kernel is about to stop this thread: pending calls fail with `reason`, and it is no crash. */
  expectStop(reason: PluginError): void {
    this.#stopReason ??= reason;
  }

  close(): void {
    this.#port.close();
  }

  #onMessage(message: unknown): void {
    const m = message as { type?: unknown; id?: unknown } | null;
    if (m?.type === 'result') this.#settle(m as { id: number } & TaskOutcome);
    else if (m?.type === 'ready') this.#ready(m as TaskOutcome<PluginDescription>);
    else void this.#serveHost(message);
  }

  async #serveHost(message: unknown): Promise<void> {
    const reply = await this.#host.handle(message);
    if (reply !== null && this.#state !== 'closed') {
      this.#port.postMessage(reply);
      awake.extend();
    }
  }

  #settle(result: { id: number } & TaskOutcome): void {
    const pending = this.#pending.get(result.id);
    if (pending === undefined) return;
    this.#pending.delete(result.id);
    if (typeof result.ok !== 'boolean') {
      pending.settle(failure(new PluginError('plugin.runtime.malformed_message', this.#plugin, `result of "${pending.method}" is not a task outcome`)));
    } else {
      pending.settle(result);
    }
  }

  #ready(outcome: TaskOutcome<PluginDescription>): void {
    if (this.#state !== 'starting') return;
    this.#state = outcome.ok === true ? 'ready' : 'failed';
    this.#settleReady(outcome.ok === true ? outcome : failure(outcome.ok === false ? PluginError.fromWire(outcome.error) : malformedReady(this.#plugin)));
  }

  #closed(): void {
    const expected = this.#stopReason !== null;
    const wasStarting = this.#state === 'starting';
    this.#state = 'closed';
    if (wasStarting) {
      this.#settleReady(failure(this.#stopReason ?? new PluginError('plugin.runtime.unexpected_error', `${this.#plugin}: its isolate stopped during init`)));
    }
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      const reason = this.#stopReason ?? new PluginError('plugin.runtime.unexpected_error', `${this.#plugin}: its isolate stopped during "${pending.method}"`);
      pending.settle(failure(reason));
    }
    this.#onClose(this, expected);
  }
}

function failure(error: PluginError): TaskOutcome<never> {
  return { ok: false, error: error.toWire() };
}

function malformedReady(plugin: string): PluginError {
  return new PluginError('plugin.runtime.malformed_message', plugin, 'ready message without a valid outcome');
}
