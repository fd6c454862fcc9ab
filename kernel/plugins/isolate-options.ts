/**
 * How a plugin's worker threads are started: Piscina options, Node's
 * permission model, resource limits. Kept apart from the isolate's
 * lifecycle so the security-relevant flags are in one small place.
 */
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import type { IsolateBootData } from '@portcullis/sdk-plugin/protocol';
import type { PluginSettings } from '../config/plugins-config.js';
import { sharedThreadBalancer } from './call-balancer.js';

const require = createRequire(import.meta.url);

/**
 * The compiled isolate runtime (sdk-plugin/dist/runtime/worker.js). Its export
 * has no `source` condition on purpose: workers load JavaScript even when the
 * kernel itself runs from TypeScript source under vitest.
 */
export const RUNTIME_ENTRY = require.resolve('@portcullis/sdk-plugin/runtime/worker');
/** sdk-plugin's folder (the runtime and what plugins import from it). */
const SDK_DIR = resolve(dirname(RUNTIME_ENTRY), '..', '..');
/** The kernel's node_modules: piscina's worker bootstrap, passport, plugin dependencies. */
const NODE_MODULES_DIR = nodeModulesOf(require.resolve('piscina'));

function nodeModulesOf(file: string): string {
  const marker = `${sep}node_modules${sep}`;
  return file.slice(0, file.lastIndexOf(marker) + marker.length - 1);
}

/**
 * A plugin gets a concurrency of this many calls per thread: while one call
 * awaits a host service (storage, bcrypt) the thread serves others. 64 covers
 * the 64-in-flight target on two threads with headroom.
 */
export const CALLS_PER_THREAD = 64;

/** Node's permission model for one plugin: read its folder, the sdk and node_modules; nothing else. */
export function permissionFlags(pluginDir: string): string[] {
  return [
    '--experimental-permission',
    // One flag per path: Node 20 refuses a comma-separated list.
    `--allow-fs-read=${pluginDir}`,
    `--allow-fs-read=${SDK_DIR}`,
    `--allow-fs-read=${NODE_MODULES_DIR}`,
    '--disable-warning=ExperimentalWarning',
  ];
}

export function piscinaOptions(boot: IsolateBootData, settings: PluginSettings) {
  return {
    filename: RUNTIME_ENTRY,
    minThreads: settings.threads.min,
    maxThreads: settings.threads.max,
    // Threads above min are let go after a minute idle.
    idleTimeout: 60_000,
    // The queue limit is enforced by PluginIsolate (see its #run).
    concurrentTasksPerWorker: CALLS_PER_THREAD,
    loadBalancer: sharedThreadBalancer(CALLS_PER_THREAD),
    // Atomics would block an idle thread's event loop; host replies must flow.
    atomics: 'disabled' as const,
    env: {},
    argv: [],
    execArgv: permissionFlags(boot.pluginDir),
    resourceLimits: {
      maxOldGenerationSizeMb: settings.heapMb,
      maxYoungGenerationSizeMb: Math.max(4, Math.floor(settings.heapMb / 8)),
      stackSizeMb: 4,
    },
    workerData: boot,
  };
}
