/**
 * The entry module of every plugin isolate thread (Piscina's `filename`).
 *
 * Order matters: harden the process, say hello (protocol version, plugin
 * identity, thread id, channel port) before anything else, load the plugin,
 * then say ready (its description, or why it failed) and serve the kernel's
 * tasks on the channel.
 */
import { MessageChannel, parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { wireError } from '../errors.js';
import { HostChannel } from '../host-channel.js';
import {
  PROTOCOL_VERSION,
  type HelloMessage,
  type IsolateBootData,
  type PluginTask,
  type ReadyMessage,
  type ResultMessage,
  type TaskMessage,
  type TaskOutcome,
} from '../protocol.js';
import { handleTask } from './dispatch.js';
import { hardenProcess } from './harden.js';
import { loadPlugin } from './load-plugin.js';
import { routeOutputToHostLog } from './plugin-output.js';

await hardenProcess();

const boot = workerData as IsolateBootData;
const channel = new MessageChannel();
const hello: HelloMessage = {
  type: 'portcullis.hello',
  protocolVersion: PROTOCOL_VERSION,
  plugin: boot.plugin,
  threadId,
  port: channel.port2,
};
parentPort!.postMessage(hello, [channel.port2]);

const host = new HostChannel(channel.port1, boot.plugin, boot.callTimeoutMs);
routeOutputToHostLog(host);
const state = await loadPlugin(boot, host);

serveTasks(channel.port1);
const ready: ReadyMessage =
  'failure' in state ? { type: 'ready', ok: false, error: state.failure } : { type: 'ready', ok: true, value: state.loaded.description };
channel.port1.postMessage(ready);

function serveTasks(port: MessagePort): void {
  port.on('message', (message: TaskMessage | { type?: unknown }) => {
    if (message.type !== 'task') return;
    const { id, method, params } = message as TaskMessage;
    host.taskStarted();
    void handleTask(state, host, { method, params } as PluginTask).then((outcome) => post(port, id, outcome));
  });
}

function post(port: MessagePort, id: number, outcome: TaskOutcome): void {
  try {
    port.postMessage({ type: 'result', id, ...outcome } satisfies ResultMessage);
  } catch (error) {
    // Results are checked to be plain JSON first; this is the last resort.
    const reason = error instanceof Error ? error.message : String(error);
    port.postMessage({ type: 'result', id, ok: false, error: wireError('plugin.runtime.invalid_result', boot.plugin, 'task', reason) });
  }
  host.taskPosted();
}

/** Piscina's task entry: the kernel uses it only to bring a new thread up. */
export default function handle(task: PluginTask): Promise<TaskOutcome> {
  return handleTask(state, host, task);
}
