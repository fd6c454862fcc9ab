/**
 * The entry module of every plugin isolate (Piscina's `filename`).
 *
 * Order matters: harden the process, say hello (protocol version, plugin
 * identity, host channel port) before anything else, then load the plugin.
 * Piscina awaits this module's top-level await, so no task reaches the
 * plugin before `init` has finished (or failed).
 */
import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
import { HostChannel } from '../host-channel.js';
import { PROTOCOL_VERSION, type HelloMessage, type IsolateBootData, type PluginTask, type TaskOutcome } from '../protocol.js';
import { handleTask } from './dispatch.js';
import { hardenProcess } from './harden.js';
import { loadPlugin } from './load-plugin.js';

hardenProcess();

const boot = workerData as IsolateBootData;
const channel = new MessageChannel();
const hello: HelloMessage = {
  type: 'portcullis.hello',
  protocolVersion: PROTOCOL_VERSION,
  plugin: boot.plugin,
  port: channel.port2,
};
parentPort!.postMessage(hello, [channel.port2]);

const host = new HostChannel(channel.port1, boot.plugin, boot.callTimeoutMs);
const state = await loadPlugin(boot, host);

export default function handle(task: PluginTask): Promise<TaskOutcome> {
  return handleTask(state, host, task);
}
