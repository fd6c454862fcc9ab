/**
 * One plugin's isolate: a Piscina pool of permission-restricted worker
 * threads, each reached over its own channel (see isolate-channel.ts).
 *
 * Piscina runs the threads: resource limits, the permission model, a new
 * thread when one exits. Calls go to the least busy ready thread, up to
 * CALLS_PER_THREAD each; past that they wait in a queue of at most
 * `maxQueue`, and past that they are refused at once (503).
 *
 * Every call settles: on its result, on its deadline (the thread running it
 * is stopped and replaced), or when its thread exits.
 */
import { Piscina } from 'piscina';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import {
  PROTOCOL_VERSION,
  type HelloMessage,
  type IsolateBootData,
  type PluginApi,
  type PluginDescription,
  type PluginMethod,
  type PluginTask,
  type TaskOutcome,
  type WireError,
} from '@portcullis/sdk-plugin/protocol';
import type { PluginSettings } from '../config/plugins-config.js';
import type { Logger } from '../log.js';
import { CrashBackoff } from './crash-backoff.js';
import { IsolateChannel, type HostEndpoint } from './isolate-channel.js';
import { CALLS_PER_THREAD, piscinaOptions } from './isolate-options.js';

export type { HostEndpoint } from './isolate-channel.js';
export type IsolateStatus = 'starting' | 'ready' | 'failed' | 'stopped';

export interface IsolateHealth {
  status: IsolateStatus | 'restarting';
  /** Error id when failed (the message stays in the log). */
  error?: string;
  threads: number;
  crashesLastMinute: number;
}

/** A call waiting for, or running on, a thread. */
interface Call {
  task: PluginTask;
  channel: IsolateChannel | null;
  settle(outcome: TaskOutcome): void;
}

export class PluginIsolate {
  readonly name: string;
  readonly #settings: PluginSettings;
  readonly #pool: Piscina;
  readonly #host: HostEndpoint;
  readonly #log: Logger;
  readonly #channels = new Map<number, IsolateChannel>();
  readonly #queue: Call[] = [];
  readonly #backoff = new CrashBackoff();
  readonly #booted: Promise<PluginDescription>;
  #bootFailed!: (error: PluginError) => void;
  #bootChannel!: (channel: IsolateChannel) => void;
  #status: IsolateStatus = 'starting';
  #failure: WireError | null = null;
  /** Threads that existed when a new one was asked for; the new one is the thread not in it. */
  #growingFrom: Set<number> | null = null;

  constructor(boot: IsolateBootData, settings: PluginSettings, host: HostEndpoint, log: Logger) {
    this.name = boot.plugin;
    this.#settings = settings;
    this.#host = host;
    this.#log = log;
    this.#booted = new Promise<IsolateChannel>((resolve, reject) => {
      this.#bootChannel = resolve;
      this.#bootFailed = reject;
    }).then((channel) => channel.ready);
    this.#booted.catch(() => undefined);
    this.#pool = new Piscina(piscinaOptions(boot, settings, (_task, workers) => this.#pickNewThread(workers)));
    this.#pool.on('message', (message: unknown) => this.#onHello(message));
    // A thread error outside a Piscina task: its channel closing settles its
    // calls. Without a listener the EventEmitter would throw and take the kernel down.
    this.#pool.on('error', (error: unknown) => this.#log.warn({ plugin: this.name, cause: String(error).slice(0, 500) }, 'plugin thread error'));
  }

  get status(): IsolateStatus {
    return this.#status;
  }

  /** Waits until the first thread has run init and described its strategies, within initTimeoutMs. */
  async boot(): Promise<PluginDescription> {
    const { initTimeoutMs } = this.#settings;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PluginError('plugin.runtime.init_timeout', this.name, initTimeoutMs)), initTimeoutMs);
    });
    try {
      const description = await Promise.race([this.#booted, deadline]);
      this.#status = 'ready';
      this.#drain();
      return description;
    } catch (error) {
      const failure = error instanceof PluginError ? error : new PluginError('plugin.runtime.failed_init', this.name);
      await this.fail(failure.toWire());
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls a plugin method; resolves with its result or rejects with a catalogue error. */
  async call<M extends PluginMethod>(method: M, params: PluginApi[M]['params']): Promise<PluginApi[M]['result']> {
    this.#assertAvailable();
    const outcome = await this.#run({ method, params } as PluginTask);
    if (!outcome.ok) throw PluginError.fromWire(outcome.error);
    return outcome.value as PluginApi[M]['result'];
  }

  health(): IsolateHealth {
    const threads = [...this.#channels.values()].filter((c) => c.state === 'ready').length;
    const crashesLastMinute = this.#backoff.recent();
    if (this.#status === 'failed') return { status: 'failed', error: this.#failure?.id, threads, crashesLastMinute };
    const restarting = this.#status === 'ready' && (this.#backoff.remaining() > 0 || threads === 0);
    return { status: restarting ? 'restarting' : this.#status, threads, crashesLastMinute };
  }

  /** Marks the plugin failed for good and stops its threads. */
  async fail(failure: WireError): Promise<void> {
    if (this.#status === 'failed' || this.#status === 'stopped') return;
    this.#status = 'failed';
    this.#failure = failure;
    this.#log.error({ plugin: this.name, error: failure.id }, `plugin failed: ${failure.message}`);
    await this.#shutdown(new PluginError('plugin.runtime.unavailable', this.name, 'it failed and was stopped'));
  }

  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    if (this.#status !== 'failed') this.#status = 'stopped';
    await this.#shutdown(new PluginError('plugin.runtime.unavailable', this.name, 'the kernel is shutting down'));
  }

  #run(task: PluginTask): Promise<TaskOutcome> {
    const { callTimeoutMs } = this.#settings;
    return new Promise<TaskOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const call: Call = {
        task,
        channel: null,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      timer = setTimeout(() => this.#expire(call, callTimeoutMs), callTimeoutMs);
      if (this.#start(call)) return;
      if (this.#queue.length >= this.#settings.maxQueue) {
        call.settle(failed(new PluginError('plugin.runtime.unavailable', this.name, 'its call queue is full')));
        return;
      }
      this.#queue.push(call);
      this.#grow();
    });
  }

  /** Sends the call to the least busy ready thread with room; false if none. */
  #start(call: Call): boolean {
    let best: IsolateChannel | null = null;
    for (const channel of this.#channels.values()) {
      if (channel.state === 'ready' && channel.load < CALLS_PER_THREAD && (best === null || channel.load < best.load)) best = channel;
    }
    if (best === null) return false;
    call.channel = best;
    void best.send(call.task).then((outcome) => {
      call.settle(outcome);
      this.#drain();
    });
    return true;
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#start(this.#queue[0]!)) this.#queue.shift();
  }

  /** A call past its deadline: answered 504, and the thread running it is stopped. */
  #expire(call: Call, timeoutMs: number): void {
    const queued = this.#queue.indexOf(call);
    if (queued >= 0) this.#queue.splice(queued, 1);
    call.settle(failed(new PluginError('plugin.runtime.timeout', this.name, call.task.method, timeoutMs)));
    if (call.channel !== null) {
      const reason = new PluginError('plugin.runtime.unavailable', this.name, 'the thread serving this call was stopped: another call on it passed its deadline');
      this.#stopThread(call.channel, reason);
    }
  }

  #stopThread(channel: IsolateChannel, reason: PluginError): void {
    channel.expectStop(reason);
    const worker = this.#pool.threads.find((thread) => thread.threadId === channel.threadId);
    void worker?.terminate();
  }

  /** Asks Piscina for one more thread (up to threads.max) while calls wait. */
  #grow(): void {
    if (this.#growingFrom !== null || this.#status !== 'ready' || this.#pool.threads.length >= this.#settings.threads.max) return;
    this.#growingFrom = new Set(this.#pool.threads.map((thread) => thread.threadId));
    this.#pool
      .run({ method: 'describe', params: {} } satisfies PluginTask)
      .catch(() => undefined)
      .finally(() => (this.#growingFrom = null));
  }

  /** Piscina's balancer: the grow task goes to the new thread only, so Piscina starts one. */
  #pickNewThread<W extends { id: number }>(workers: W[]): W | null {
    const before = this.#growingFrom;
    return before === null ? null : (workers.find((worker) => !before.has(worker.id)) ?? null);
  }

  #assertAvailable(): void {
    if (this.#status === 'failed') throw new PluginError('plugin.runtime.unavailable', this.name, 'it failed to start or was stopped after a fault');
    if (this.#status === 'stopped') throw new PluginError('plugin.runtime.unavailable', this.name, 'the kernel is shutting down');
    const wait = this.#backoff.remaining();
    if (wait > 0) throw new PluginError('plugin.runtime.unavailable', this.name, `restarting after repeated crashes, retry in ${wait} ms`);
  }

  /** A thread's first message: protocol version, identity, thread id, channel port. */
  #onHello(message: unknown): void {
    const hello = message as Partial<HelloMessage> | null;
    const mismatch = helloMismatch(hello, this.name);
    if (mismatch !== null) {
      const [field, got, expected] = mismatch;
      const error = new PluginError('plugin.runtime.protocol_mismatch', this.name, field, got, expected);
      this.#bootFailed(error);
      void this.fail(error.toWire());
      return;
    }
    const { port, threadId } = hello as HelloMessage;
    // Only a thread of this pool, once: a forged hello from plugin code is refused.
    if (this.#channels.has(threadId) || !this.#pool.threads.some((thread) => thread.threadId === threadId)) {
      this.#log.warn({ plugin: this.name, threadId }, 'refused a hello that does not come from a new thread of this plugin');
      port.close();
      return;
    }
    const channel = new IsolateChannel(this.name, threadId, port, this.#host, (c, expected) => this.#onChannelClosed(c, expected));
    this.#channels.set(threadId, channel);
    this.#bootChannel(channel);
    void channel.ready.then(
      () => this.#drain(),
      (error: unknown) => this.#onThreadInitFailed(channel, error),
    );
  }

  /** A replacement thread whose init failed: stop it; repeated, it backs off like a crash. */
  #onThreadInitFailed(channel: IsolateChannel, error: unknown): void {
    if (this.#status !== 'ready' || channel.state === 'closed') return;
    this.#log.warn({ plugin: this.name, error: (error as PluginError).id }, 'a plugin thread failed its init; replacing it');
    this.#backoff.record();
    this.#stopThread(channel, new PluginError('plugin.runtime.unavailable', this.name, 'a thread failed its init'));
  }

  #onChannelClosed(channel: IsolateChannel, expected: boolean): void {
    this.#channels.delete(channel.threadId);
    if (expected || this.#status !== 'ready') return;
    const backoff = this.#backoff.record();
    this.#log.warn({ plugin: this.name, threadId: channel.threadId, backoffMs: backoff }, 'plugin thread stopped unexpectedly; replaced');
  }

  async #shutdown(reason: PluginError): Promise<void> {
    this.#bootFailed(reason);
    for (const call of this.#queue.splice(0)) call.settle(failed(reason));
    for (const channel of this.#channels.values()) channel.expectStop(reason);
    await this.#pool.destroy().catch(() => undefined);
  }
}

function failed(error: PluginError): TaskOutcome<never> {
  return { ok: false, error: error.toWire() };
}

/** Returns [field, got, expected] for the first wrong handshake field, or null. */
function helloMismatch(hello: Partial<HelloMessage> | null, plugin: string): [string, string, string] | null {
  if (typeof hello !== 'object' || hello === null) return ['message', typeof hello, 'an object'];
  if (hello.type !== 'portcullis.hello') return ['type', String(hello.type), 'portcullis.hello'];
  if (hello.protocolVersion !== PROTOCOL_VERSION) return ['protocolVersion', String(hello.protocolVersion), String(PROTOCOL_VERSION)];
  if (hello.plugin !== plugin) return ['plugin', String(hello.plugin), plugin];
  if (!Number.isSafeInteger(hello.threadId)) return ['threadId', typeof hello.threadId, 'an integer'];
  if (typeof hello.port?.postMessage !== 'function') return ['port', typeof hello.port, 'a MessagePort'];
  return null;
}
