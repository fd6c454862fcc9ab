/**
 * One plugin's isolate: a Piscina pool of permission-restricted worker
 * threads, the handshake, the host channels, and calls with deadlines.
 *
 * Every call settles: on the plugin's answer, on its deadline (the worker is
 * terminated by Piscina's abort and replaced), or on the worker's exit.
 */
import { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import {
  PROTOCOL_VERSION,
  type HelloMessage,
  type IsolateBootData,
  type PluginApi,
  type PluginDescription,
  type PluginMethod,
  type TaskOutcome,
  type WireError,
} from '@portcullis/sdk-plugin/protocol';
import type { PluginSettings } from '../config/plugins-config.js';
import type { Logger } from '../log.js';
import { CrashBackoff } from './crash-backoff.js';
import { CALLS_PER_THREAD, piscinaOptions } from './isolate-options.js';
import { classifyRunError, toKernelError } from './task-errors.js';

export type IsolateStatus = 'starting' | 'ready' | 'failed' | 'stopped';

/** Serves the host calls of one plugin; bound to its namespace by construction. */
export interface HostEndpoint {
  /** Answers a message from the isolate; null when it needs no reply. */
  handle(message: unknown): Promise<unknown>;
}

export interface IsolateHealth {
  status: IsolateStatus | 'restarting';
  /** Error id when failed (the message stays in the log). */
  error?: string;
  crashesLastMinute: number;
}

export class PluginIsolate {
  readonly name: string;
  readonly #settings: PluginSettings;
  readonly #pool: Piscina;
  readonly #host: HostEndpoint;
  readonly #log: Logger;
  readonly #ports = new Set<MessagePort>();
  readonly #backoff = new CrashBackoff();
  #status: IsolateStatus = 'starting';
  /** Calls sent and not yet settled: running on a thread or waiting for one. */
  #inFlight = 0;
  #failure: WireError | null = null;
  #greeted = false;

  constructor(boot: IsolateBootData, settings: PluginSettings, host: HostEndpoint, log: Logger) {
    this.name = boot.plugin;
    this.#settings = settings;
    this.#host = host;
    this.#log = log;
    this.#pool = new Piscina(piscinaOptions(boot, settings));
    this.#pool.on('message', (message: unknown) => this.#onHello(message));
    // A worker error with no task in flight: without a listener the
    // EventEmitter would throw and take the kernel down.
    this.#pool.on('error', (error: unknown) => this.#onCrash(error));
  }

  get status(): IsolateStatus {
    return this.#status;
  }

  /** Waits for init and the strategy description, within initTimeoutMs. */
  async boot(): Promise<PluginDescription> {
    try {
      const description = await this.#run('describe', {}, this.#settings.initTimeoutMs);
      if (!this.#greeted) throw new PluginError('plugin.runtime.protocol_mismatch', this.name, 'type', 'missing', 'portcullis.hello');
      this.#status = 'ready';
      return description;
    } catch (error) {
      const failure = toKernelError(error, this.name, 'init', this.#settings.initTimeoutMs);
      const reported = failure.id === 'plugin.runtime.timeout' ? new PluginError('plugin.runtime.init_timeout', this.name, this.#settings.initTimeoutMs) : failure;
      await this.fail(reported.toWire());
      throw reported;
    }
  }

  /** Calls a plugin method; resolves with its result or rejects with a catalogue error. */
  async call<M extends PluginMethod>(method: M, params: PluginApi[M]['params']): Promise<PluginApi[M]['result']> {
    this.#assertAvailable();
    try {
      return await this.#run(method, params, this.#settings.callTimeoutMs);
    } catch (error) {
      throw toKernelError(error, this.name, method, this.#settings.callTimeoutMs);
    }
  }

  health(): IsolateHealth {
    const crashesLastMinute = this.#backoff.recent();
    if (this.#status === 'failed') return { status: 'failed', error: this.#failure?.id, crashesLastMinute };
    if (this.#status === 'ready' && this.#backoff.remaining() > 0) return { status: 'restarting', crashesLastMinute };
    return { status: this.#status, crashesLastMinute };
  }

  /** Marks the plugin failed for good and stops its threads. */
  async fail(failure: WireError): Promise<void> {
    this.#status = 'failed';
    this.#failure = failure;
    this.#log.error({ plugin: this.name, error: failure.id }, `plugin failed: ${failure.message}`);
    await this.#destroy();
  }

  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    if (this.#status !== 'failed') this.#status = 'stopped';
    await this.#destroy();
  }

  async #run<M extends PluginMethod>(method: M, params: PluginApi[M]['params'], timeoutMs: number) {
    // Piscina's own maxQueue is bypassed once threads are shared, so the
    // limit is kept here: every thread full and maxQueue calls waiting.
    const capacity = this.#settings.threads.max * CALLS_PER_THREAD + this.#settings.maxQueue;
    if (this.#inFlight >= capacity) throw new PluginError('plugin.runtime.unavailable', this.name, 'its call queue is full');
    this.#inFlight++;
    try {
      return await this.#runTask(method, params, timeoutMs);
    } finally {
      this.#inFlight--;
    }
  }

  async #runTask<M extends PluginMethod>(method: M, params: PluginApi[M]['params'], timeoutMs: number) {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    let outcome: TaskOutcome;
    try {
      outcome = (await this.#pool.run({ method, params }, { signal: deadline.signal })) as TaskOutcome;
    } catch (error) {
      if (deadline.signal.aborted) throw new PluginError('plugin.runtime.timeout', this.name, method, timeoutMs);
      const failure = classifyRunError(error);
      if (failure === 'crash' || failure === 'out_of_memory') this.#onCrash(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (typeof outcome !== 'object' || outcome === null || typeof outcome.ok !== 'boolean') {
      throw new PluginError('plugin.runtime.malformed_message', this.name, `answer to "${method}" is not a task outcome`);
    }
    if (!outcome.ok) throw PluginError.fromWire(outcome.error);
    return outcome.value as PluginApi[M]['result'];
  }

  #assertAvailable(): void {
    if (this.#status === 'failed') throw new PluginError('plugin.runtime.unavailable', this.name, 'it failed to start or was stopped after a fault');
    if (this.#status === 'stopped') throw new PluginError('plugin.runtime.unavailable', this.name, 'the kernel is shutting down');
    const wait = this.#backoff.remaining();
    if (wait > 0) throw new PluginError('plugin.runtime.unavailable', this.name, `restarting after repeated crashes, retry in ${wait} ms`);
  }

  /** The isolate's first message: protocol version, identity, host channel port. */
  #onHello(message: unknown): void {
    const hello = message as Partial<HelloMessage> | null;
    const mismatch = helloMismatch(hello, this.name);
    if (mismatch !== null) {
      const [field, got, expected] = mismatch;
      void this.fail(new PluginError('plugin.runtime.protocol_mismatch', this.name, field, got, expected).toWire());
      return;
    }
    const port = hello!.port!;
    // Threads come and go; a flood of ports from one plugin is refused.
    if (this.#ports.size >= this.#settings.threads.max * 4) {
      port.close();
      return;
    }
    this.#greeted = true;
    this.#ports.add(port);
    port.on('close', () => this.#ports.delete(port));
    port.on('message', (msg: unknown) => void this.#serveHost(port, msg));
  }

  async #serveHost(port: MessagePort, message: unknown): Promise<void> {
    const reply = await this.#host.handle(message);
    if (reply !== null) port.postMessage(reply);
  }

  #onCrash(error: unknown): void {
    if (this.#status !== 'ready') return;
    const backoff = this.#backoff.record();
    this.#log.warn({ plugin: this.name, backoffMs: backoff, cause: String(error).slice(0, 500) }, 'plugin thread crashed; replaced');
  }

  async #destroy(): Promise<void> {
    for (const port of this.#ports) port.close();
    this.#ports.clear();
    await this.#pool.destroy().catch(() => undefined);
  }
}

/** Returns [field, got, expected] for the first wrong handshake field, or null. */
function helloMismatch(hello: Partial<HelloMessage> | null, plugin: string): [string, string, string] | null {
  if (typeof hello !== 'object' || hello === null) return ['message', typeof hello, 'an object'];
  if (hello.type !== 'portcullis.hello') return ['type', String(hello.type), 'portcullis.hello'];
  if (hello.protocolVersion !== PROTOCOL_VERSION) return ['protocolVersion', String(hello.protocolVersion), String(PROTOCOL_VERSION)];
  if (hello.plugin !== plugin) return ['plugin', String(hello.plugin), plugin];
  if (!(hello.port instanceof MessagePort)) return ['port', typeof hello.port, 'a MessagePort'];
  return null;
}
