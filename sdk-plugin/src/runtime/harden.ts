/**
 * Runs first in every isolate, before any plugin code loads.
 *
 * The permission model (execArgv) already denies fs writes, child processes,
 * workers, native addons and `process.binding`. What it does not cover on
 * Node 20 is what a worker thread can do to the whole process: signal it
 * (`process.kill(process.pid)`), renice it (`os.setPriority`), or change V8
 * flags for every thread (`v8.setFlagsFromString`). Those entry points are
 * removed or refused here, for good.
 */
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import v8 from 'node:v8';

const REMOVED_PROCESS_MEMBERS = ['kill', '_kill', 'abort', 'dlopen', 'binding', '_linkedBinding', '_debugProcess'] as const;

export function hardenProcess(): void {
  removeProcessMembers();
  refuseProcessWideSettings();
}

function refuseProcessWideSettings(): void {
  const refuse = (name: string) => (): never => {
    throw Object.assign(new Error(`${name} affects the whole kernel process and is not available to plugins`), { code: 'ERR_ACCESS_DENIED' });
  };
  os.setPriority = refuse('os.setPriority');
  v8.setFlagsFromString = refuse('v8.setFlagsFromString');
  // `import { setPriority } from 'node:os'` reads the ESM facade: update it too.
  syncBuiltinESMExports();
}

function removeProcessMembers(): void {
  for (const name of REMOVED_PROCESS_MEMBERS) {
    Object.defineProperty(process, name, {
      value: undefined,
      writable: false,
      configurable: false,
      enumerable: false,
    });
  }
}
