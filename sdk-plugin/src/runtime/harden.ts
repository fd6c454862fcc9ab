/**
 * Runs first in every isolate, before any plugin code loads.
 *
 * The permission model (execArgv) already denies fs writes, child processes,
 * workers, native addons and `process.binding`. What it does not cover on
 * Node 20 is signalling: `process.kill(process.pid)` from a worker thread
 * reaches the whole kernel process. So the signalling entry points are
 * removed here, for good: non-configurable, non-writable.
 */
const REMOVED_PROCESS_MEMBERS = ['kill', '_kill', 'abort', 'dlopen', 'binding', '_linkedBinding', '_debugProcess'] as const;

export function hardenProcess(): void {
  for (const name of REMOVED_PROCESS_MEMBERS) {
    Object.defineProperty(process, name, {
      value: undefined,
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
}
