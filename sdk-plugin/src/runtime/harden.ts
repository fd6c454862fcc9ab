/**
 * Runs first in every isolate, before any plugin code loads.
 *
 * The permission model (execArgv) already denies fs writes, child processes,
 * workers, native addons, the inspector and `process.binding`. What it does
 * not cover on Node 20 is what a worker thread can do to the whole process:
 * signal it (`process.kill(process.pid)`), renice it (`os.setPriority`),
 * change V8 flags for every thread (`v8.setFlagsFromString`), read the
 * process's real environment (`process.report.getReport()` lists it, and
 * KERNEL_SECRET may be there), or use the descriptors it has open
 * (descriptor-guard.ts). Those entry points are removed or refused here, for
 * good.
 */
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { guardDescriptors } from './descriptor-guard.js';
import { guardFileHandles } from './file-handle-guard.js';

const REMOVED_PROCESS_MEMBERS = ['kill', '_kill', 'abort', 'dlopen', 'binding', '_linkedBinding', '_debugProcess', 'report'] as const;

export async function hardenProcess(): Promise<void> {
  removeProcessMembers();
  refuseProcessWideSettings();
  guardDescriptors();
  await guardFileHandles(fileURLToPath(import.meta.url));
  // `import { setPriority } from 'node:os'` reads the ESM facade: update it too.
  syncBuiltinESMExports();
}

function refuseProcessWideSettings(): void {
  const refuse = (name: string) => (): never => {
    throw Object.assign(new Error(`${name} affects the whole kernel process and is not available to plugins`), { code: 'ERR_ACCESS_DENIED' });
  };
  os.setPriority = refuse('os.setPriority');
  v8.setFlagsFromString = refuse('v8.setFlagsFromString');
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
