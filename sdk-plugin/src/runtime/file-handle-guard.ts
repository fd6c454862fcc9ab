/**
 * The `fs/promises` side of descriptor-guard.ts. A FileHandle reads and
 * writes whatever number its `fd` says, and plugin code can change that
 * number (`fd` and the private `kFd` are ordinary properties), forge a
 * handle with `Object.create(FileHandle.prototype)`, or make a native handle
 * for any descriptor with `new (handle[kHandle].constructor)(fd)`.
 *
 * So: the native constructor is taken away; every handle `open` gives plugin
 * code has its `fd` pinned to its native handle's; and FileHandle methods,
 * and the functions that accept a handle, serve only such handles (the
 * latter take a path as a string, bytes or URL copied, never an object that
 * merely looks like a handle or a path). Handles
 * Node makes for itself (`readFile(path)`) never reach plugin code.
 */
import fsp from 'node:fs/promises';
import { types } from 'node:util';
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
  // Never the caller's object itself unless it is a handle `open` gave: `instanceof` can be made to
  // answer one way here and another in Node (a Proxy, a Symbol.hasInstance), and Node then reads any `fd`.
  const safeTarget = (what: string, target: unknown): unknown => {
    if (typeof target === 'string') return target;
    if (typeof target === 'object' && target !== null && opened.has(target)) return target;
    if (types.isUint8Array(target)) return Buffer.from(target);
    if (target instanceof URL) return new URL(String(target));
    throw accessDenied(what);
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
    api[name] = async (target, ...rest) => original(safeTarget(`fs/promises ${name}`, target), ...rest);
  }
  api.open = guardedOpen as AnyFunction;
}
