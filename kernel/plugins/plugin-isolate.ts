/**
 * One plugin's isolate: a Piscina pool of permission-restricted worker
 * threads, each reached over its own channel (isolate-channel.ts), started
 * by the kernel (thread-supply.ts).
 *
 * Calls are dispatched by call-dispatcher.ts. Every call settles: on its
 * result (checked by result-shapes.ts), on its deadline (the thread running
 * it is stopped and replaced), or when its thread exits.
 */
import { Piscina } from 'piscina';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import {
  type HelloMessage,
  type IsolateBootData,
  type PluginApi,
  type PluginDescription,
  type PluginMethod,
  type PluginTask,
  type WireError,
} from '@portcullis/sdk-plugin/protocol';
import type { PluginSettings } from '../config/plugins-config.js';
import type { Logger } from '../log.js';
import { CrashBackoff } from './crash-backoff.js';
import { IsolateChannel, type HostEndpoint } from './isolate-channel.js';
import { helloMismatch } from './isolate-messages.js';
import { piscinaOptions } from './isolate-options.js';
import { CallDispatcher } from './call-dispatcher.js';
import { checkResult } from './result-shapes.js';
import { ThreadSupply } from './thread-supply.js';

export type { HostEndpoint } from './isolate-channel.js';
export type IsolateStatus = 'starting' | 'ready' | 'failed' | 'stopped';

export interface IsolateHealth {
  /**
   * `restarting`: a crashed thread's replacement is on its way. `backing-off`:
   * crashed twice or more in the last minute, so each replacement waits out a
   * doubling window (crash-backoff.ts); shown until a minute passes without a crash.
   */
  status: IsolateStatus | 'restarting' | 'backing-off';
  /** Error id when failed (the message stays in the log). */
  error?: string;
  threads: number;
  crashesLastMinute: number;
  /** When backing off: ms before calls are let through again (0: serving between crashes). */
  retryInMs?: number;
}

/** Replacement threads failing init this many times in a row mark the plugin failed. */
const MAX_START_FAILURES_IN_A_ROW = 5;

export class PluginIsolate {
  readonly name: string;
  readonly #settings: PluginSettings;
  readonly #pool: Piscina;
  readonly #host: HostEndpoint;
  readonly #log: Logger;
  readonly #channels = new Map<number, IsolateChannel>();
  readonly #calls: CallDispatcher;
  readonly #backoff = new CrashBackoff();
  readonly #supply: ThreadSupply;
  readonly #booted: Promise<IsolateChannel>;
  #bootChannel!: (channel: IsolateChannel) => void;
  #bootFailed!: (error: PluginError) => void;
  #status: IsolateStatus = 'starting';
  #failure: WireError | null = null;
  #startFailures = 0;
  /** Called whenever a thread has finished its init (a replacement included). */
  onThreadReady: () => void = () => {};

  constructor(boot: IsolateBootData, settings: PluginSettings, host: HostEndpoint, log: Logger) {
    this.name = boot.plugin;
    this.#settings = settings;
    this.#host = host;
    this.#log = log;
    this.#booted = new Promise<IsolateChannel>((resolve, reject) => {
      this.#bootChannel = resolve;
      this.#bootFailed = reject;
    });
    this.#booted.catch(() => undefined);
    this.#supply = new ThreadSupply({
      min: settings.threads.min,
      max: settings.threads.max,
      startTimeoutMs: settings.initTimeoutMs * 2,
      active: () => this.#status === 'starting' || this.#status === 'ready',
      demand: () => this.#calls.waiting > 0,
      delay: () => this.#backoff.remaining(),
      settling: () => [...this.#channels.keys()].some((id) => !this.#pool.threads.some((thread) => thread.threadId === id)),
      onStartTimeout: (stuck) => this.#onStartTimeout(stuck),
    });
    this.#calls = new CallDispatcher({
      plugin: this.name,
      callTimeoutMs: settings.callTimeoutMs,
      maxQueue: settings.maxQueue,
      channels: this.#channels,
      onWaiting: () => this.#supply.start(),
      onExpired: (channel) =>
        this.#stopThread(channel, new PluginError('plugin.runtime.unavailable', this.name, 'the thread serving this call was stopped: another call on it passed its deadline')),
    });
    this.#pool = new Piscina(piscinaOptions(boot, settings, (_task, workers) => this.#supply.pick(workers)));
    this.#supply.attach(this.#pool);
    this.#pool.on('message', (message: unknown) => this.#onHello(message));
    // A thread error outside a Piscina task: its channel closing settles its
    // calls. Without a listener the EventEmitter would throw and take the kernel down.
    this.#pool.on('error', (error: unknown) => this.#log.warn({ cause: String(error).slice(0, 500) }, 'plugin thread error'));
  }

  get status(): IsolateStatus {
    return this.#status;
  }

  /** Starts the first thread and waits until it has run init and described its strategies, within initTimeoutMs. */
  async boot(): Promise<PluginDescription> {
    const { initTimeoutMs } = this.#settings;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PluginError('plugin.runtime.init_timeout', this.name, initTimeoutMs)), initTimeoutMs);
    });
    try {
      this.#supply.start();
      const channel = await Promise.race([this.#booted, deadline]);
      const description = checkResult(this.name, 'describe', await Promise.race([channel.ready, deadline]));
      this.#status = 'ready';
      this.#supply.replenish();
      return description;
    } catch (error) {
      const failure = error instanceof PluginError ? error : new PluginError('plugin.runtime.failed_init', this.name);
      await this.fail(failure.toWire());
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls a plugin method; resolves with its checked result or rejects with a catalogue error. */
  async call<M extends PluginMethod>(method: M, params: PluginApi[M]['params']): Promise<PluginApi[M]['result']> {
    this.#assertAvailable();
    const outcome = await this.#calls.run({ method, params } as PluginTask);
    if (!outcome.ok) throw PluginError.fromWire(outcome.error);
    return checkResult(this.name, method, outcome.value);
  }

  health(): IsolateHealth {
    const threads = [...this.#channels.values()].filter((c) => c.state === 'ready').length;
    const crashesLastMinute = this.#backoff.recent();
    if (this.#status === 'failed') return { status: 'failed', error: this.#failure?.id, threads, crashesLastMinute };
    if (this.#status !== 'ready') return { status: this.#status, threads, crashesLastMinute };
    if (this.#backoff.looping()) return { status: 'backing-off', threads, crashesLastMinute, retryInMs: this.#backoff.remaining() };
    return { status: threads === 0 ? 'restarting' : 'ready', threads, crashesLastMinute };
  }

  /** Marks the plugin failed for good and stops its threads. */
  async fail(failure: WireError): Promise<void> {
    if (this.#status === 'failed' || this.#status === 'stopped') return;
    this.#status = 'failed';
    this.#failure = failure;
    this.#log.error({ error: failure.id }, `plugin failed: ${failure.message}`);
    await this.#shutdown(new PluginError('plugin.runtime.unavailable', this.name, 'it failed and was stopped'));
  }

  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    if (this.#status !== 'failed') this.#status = 'stopped';
    await this.#shutdown(new PluginError('plugin.runtime.unavailable', this.name, 'the kernel is shutting down'));
  }

  #stopThread(channel: IsolateChannel, reason: PluginError): void {
    channel.expectStop(reason);
    const worker = this.#pool.threads.find((thread) => thread.threadId === channel.threadId);
    void worker?.terminate();
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
      this.#violation(new PluginError('plugin.runtime.protocol_mismatch', this.name, field, got, expected));
      return;
    }
    const { port, threadId } = hello as HelloMessage;
    // Only a thread of this pool, once: a forged hello from plugin code is refused.
    if (this.#channels.has(threadId) || !this.#pool.threads.some((thread) => thread.threadId === threadId)) {
      this.#log.warn({ threadId }, 'refused a hello that does not come from a new thread of this plugin');
      port.close();
      return;
    }
    const channel = new IsolateChannel(this.name, threadId, port, this.#host, {
      onClose: (c, expected) => this.#onChannelClosed(c, expected),
      onViolation: (_c, reason) => this.#violation(new PluginError('plugin.runtime.malformed_message', this.name, reason)),
    });
    this.#channels.set(threadId, channel);
    this.#log.debug({ threadId }, 'plugin thread started');
    this.#bootChannel(channel);
    void channel.ready.then(
      () => this.#onThreadReady(),
      (error: unknown) => this.#onThreadInitFailed(channel, error),
    );
  }

  #onThreadReady(): void {
    this.#startFailures = 0;
    this.#calls.drain();
    this.#supply.replenish();
    if (this.#status === 'ready') this.onThreadReady();
  }

  /** A replacement thread whose init failed: stop it; repeated, the plugin is marked failed. */
  #onThreadInitFailed(channel: IsolateChannel, error: unknown): void {
    if (this.#status !== 'ready' || channel.state === 'closed') return;
    this.#stopThread(channel, new PluginError('plugin.runtime.unavailable', this.name, 'a thread failed its init'));
    this.#onStartFailed(`a thread failed its init (${(error as PluginError).id})`);
  }

  #onStartTimeout(stuck: number[]): void {
    const reason = new PluginError('plugin.runtime.unavailable', this.name, 'a thread did not finish its init in time');
    for (const threadId of stuck) {
      const channel = this.#channels.get(threadId);
      if (channel !== undefined) this.#stopThread(channel, reason);
      else void this.#pool.threads.find((thread) => thread.threadId === threadId)?.terminate();
    }
    this.#onStartFailed('a new thread did not become ready in time');
  }

  #onStartFailed(reason: string): void {
    if (this.#status !== 'ready') return;
    this.#startFailures++;
    this.#backoff.record();
    this.#log.warn({ inARow: this.#startFailures }, `plugin thread start failed: ${reason}`);
    if (this.#startFailures >= MAX_START_FAILURES_IN_A_ROW) {
      void this.fail(new PluginError('plugin.runtime.failed_init', this.name).toWire());
      return;
    }
    this.#supply.replenish();
  }

  #onChannelClosed(channel: IsolateChannel, expected: boolean): void {
    this.#channels.delete(channel.threadId);
    if (this.#supply.isStarting(channel.threadId)) this.#supply.abandon();
    if (this.#status !== 'ready') return;
    if (!expected) {
      const backoff = this.#backoff.record();
      this.#log.warn({ threadId: channel.threadId, backoffMs: backoff }, 'plugin thread stopped unexpectedly');
    }
    this.#supply.replenish();
  }

  /** A protocol breach: the plugin cannot be trusted to speak for its users any more. */
  #violation(error: PluginError): void {
    this.#bootFailed(error);
    void this.fail(error.toWire());
  }

  async #shutdown(reason: PluginError): Promise<void> {
    this.#bootFailed(reason);
    this.#supply.stop();
    this.#calls.clear(reason);
    for (const channel of this.#channels.values()) channel.expectStop(reason);
    await this.#pool.destroy().catch(() => undefined);
  }
}

