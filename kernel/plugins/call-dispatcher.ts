/**
 * Sends a plugin's calls to its threads: the least busy ready thread with
 * room (up to CALLS_PER_THREAD calls each), else a queue of at most
 * `maxQueue`, else an immediate 503. Every call has a deadline counted from
 * when it is accepted, queueing included; a call past it is answered 504 and
 * the thread running it is handed back to be stopped, unless that thread is
 * waiting on the kernel's bcrypt work: then the kernel is what is slow (an
 * overload: logins queue for the shared bcrypt pool), the thread is not stuck,
 * and stopping it would fail every other call it serves.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { PluginTask, TaskOutcome } from '@portcullis/sdk-plugin/protocol';
import type { IsolateChannel } from './isolate-channel.js';
import { CALLS_PER_THREAD } from './isolate-options.js';

interface Call {
  task: PluginTask;
  channel: IsolateChannel | null;
  settle(outcome: TaskOutcome): void;
}

export interface DispatchPolicy {
  plugin: string;
  callTimeoutMs: number;
  maxQueue: number;
  /** The plugin's threads, by thread id. */
  channels: ReadonlyMap<number, IsolateChannel>;
  /** Calls are waiting: a thread may be started. */
  onWaiting(): void;
  /** A call passed its deadline on this thread: stop the thread. */
  onExpired(channel: IsolateChannel): void;
}

export class CallDispatcher {
  readonly #queue: Call[] = [];

  constructor(private readonly policy: DispatchPolicy) {}

  /** Calls waiting for a thread. */
  get waiting(): number {
    return this.#queue.length;
  }

  run(task: PluginTask): Promise<TaskOutcome> {
    const { callTimeoutMs, maxQueue, plugin } = this.policy;
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
      timer = setTimeout(() => this.#expire(call), callTimeoutMs);
      if (this.#start(call)) return;
      if (this.#queue.length >= maxQueue) {
        call.settle(failed(new PluginError('plugin.runtime.unavailable', plugin, 'its call queue is full')));
        return;
      }
      this.#queue.push(call);
      this.policy.onWaiting();
    });
  }

  /** Starts waiting calls on threads with room (after a call ends or a thread becomes ready). */
  drain(): void {
    while (this.#queue.length > 0 && this.#start(this.#queue[0]!)) this.#queue.shift();
  }

  /** Answers every waiting call with `reason` (the plugin is stopping). */
  clear(reason: PluginError): void {
    for (const call of this.#queue.splice(0)) call.settle(failed(reason));
  }

  #start(call: Call): boolean {
    let best: IsolateChannel | null = null;
    for (const channel of this.policy.channels.values()) {
      if (channel.state === 'ready' && channel.load < CALLS_PER_THREAD && (best === null || channel.load < best.load)) best = channel;
    }
    if (best === null) return false;
    call.channel = best;
    void best.send(call.task).then((outcome) => {
      call.settle(outcome);
      this.drain();
    });
    return true;
  }

  #expire(call: Call): void {
    const queued = this.#queue.indexOf(call);
    if (queued >= 0) this.#queue.splice(queued, 1);
    call.settle(failed(new PluginError('plugin.runtime.timeout', this.policy.plugin, call.task.method, this.policy.callTimeoutMs)));
    if (call.channel !== null && call.channel.slowHostCalls === 0) this.policy.onExpired(call.channel);
  }
}

export function failed(error: PluginError): TaskOutcome<never> {
  return { ok: false, error: error.toWire() };
}
