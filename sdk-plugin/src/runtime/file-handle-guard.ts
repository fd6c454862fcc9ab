/**
 * The `fs/promises` side of descriptor-guard.ts. A FileHandle reads and
 * writes whatever number its `fd` says, and plugin code can change that
 * number (`fd` and the private `kFd` are ordinary properties), forge a
 * handle with `Object.create(FileHandle.prototype)`, or make a native handle
 * for any descriptor with `new (handle[kHandle].constructor)(fd)`.
 *
 * So: the native constructor is taken away; every handle `open` gives plugin
 * code has its `fd` pinned to its native handle's; and FileHandle methods,
 * and the functions that accept a handle, serve only such handles. Handles
 * Node makes for itself (`readFile(path)`) never reach plugin code.
 */
import fsp from 'node:fs/promises';
import { accessDenied } from './descriptor-guard.js';

type AnyFunction = (...args: unknown[]) => unknown;

/** `probeFile`: any file this thread may read (the runtime's own code). */
export async function guardFileHandles(probeFile: string): Promise<void> {
  const probe = await fsp.open(probeFile);
  const kHandle = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kHandle');
  const native = kHandle === undefined ? undefined : (probe as unknown as Record<symbol, object | undefined>)[kHandle];
  const proto = Object.getPrototypeOf(probe) as Record<string, unknown>;
  await probe.close();
  const nativeFd = native === undefined ? undefined : Object.getOwnPropertyDescriptor(Object.getPrototypeOf(native), 'fd')?.get;
  // Fail closed: a Node whose internals moved must not run plugins unguarded.
  if (kHandle === undefined || native === undefined || nativeFd === undefined) throw new Error('cannot guard FileHandles on this Node version');
  Object.defineProperty(Object.getPrototypeOf(native), 'constructor', { value: undefined, writable: false, configurable: false });

  const opened = new WeakSet<object>();
  const open = fsp.open;
  const guardedOpen = async (...args: Parameters<typeof fsp.open>) => {
    const handle = await open(...args);
    const own = (handle as unknown as Record<symbol, object>)[kHandle]!;
    // Node reads `handle.fd` for every operation: make it the native handle's, for good (-1 once closed).
    Object.defineProperty(handle, 'fd', {
      get: () => Math.max(-1, nativeFd.call(own) as number),
      enumerable: true,
      configurable: false,
    });
    opened.add(handle);
    return handle;
  };
  const FileHandle = proto.constructor as abstract new () => object;
  const refuseForged = (what: string, handle: unknown) => {
    if (handle instanceof FileHandle && !opened.has(handle)) throw accessDenied(what);
  };
  for (const name of Object.getOwnPropertyNames(proto)) {
    const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
    if (name === 'constructor' || typeof method !== 'function') continue;
    proto[name] = function (this: object, ...args: unknown[]) {
      if (!opened.has(this)) throw accessDenied(`FileHandle.${name}`);
      return (method as AnyFunction).apply(this, args);
    };
  }
  const api = fsp as unknown as Record<string, AnyFunction>;
  for (const name of ['readFile', 'writeFile', 'appendFile']) {
    const original = api[name]!;
    api[name] = async (target, ...rest) => {
      refuseForged(`fs/promises ${name}`, target);
      return original(target, ...rest);
    };
  }
  api.open = guardedOpen as AnyFunction;
}
