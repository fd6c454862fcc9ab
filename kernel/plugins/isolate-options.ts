/**
 * How a plugin's worker threads are started: Piscina options, Node's
 * permission model, resource limits. Kept apart from the isolate's
 * lifecycle so the security-relevant flags are in one small place.
 */
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import type { IsolateBootData } from '@portcullis/sdk-plugin/protocol';
import type { Piscina } from 'piscina';
import type { PluginSettings } from '../config/plugins-config.js';

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
 * Calls one thread serves at once: while a call awaits a host service
 * (storage, bcrypt) the thread serves others. Past this, calls go to another
 * thread or wait in the plugin's queue.
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

/** Piscina's balancer type (not exported from the package root). */
type Balancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/**
 * Piscina only runs the threads here: calls travel on each thread's own
 * channel. Its one task is the "describe" that brings up a new thread,
 * routed by `balancer` to that thread.
 */
export function piscinaOptions(boot: IsolateBootData, settings: PluginSettings, balancer: Balancer) {
  return {
    filename: RUNTIME_ENTRY,
    // The kernel starts every thread itself (thread-supply.ts), so that a
    // replacement waits out the crash backoff; Piscina keeps none on its own.
    minThreads: 0,
    maxThreads: settings.threads.max,
    // Piscina sees no load (calls bypass its queue), so its idle timer would
    // stop busy threads: threads, once started, stay.
    idleTimeout: 2 ** 31 - 1,
    loadBalancer: balancer,
    // Atomics would block an idle thread's event loop; channel messages must flow.
    atomics: 'disabled' as const,
    env: {},
    argv: [],
    execArgv: permissionFlags(boot.pluginDir),
    resourceLimits: {
      maxOldGenerationSizeMb: settings.heapMb,
      maxYoungGenerationSizeMb: youngGenerationMb(settings.heapMb),
      stackSizeMb: 4,
    },
    workerData: boot,
  };
}

/**
 * A thread's young generation: 2 MB at the default 64 MB heap (was heapMb / 8,
 * 8 MB). Every thread of every plugin holds its young generation resident
 * once it has grown: 8 -> 2 MB took about 3 MB off each isolate's RSS
 * (bench/memory, the local plugin), with no change measured in bench/rpc
 * (calls/s, p50) nor bench/login beyond their noise.
 */
export function youngGenerationMb(heapMb: number): number {
  return Math.max(2, Math.floor(heapMb / 32));
}
