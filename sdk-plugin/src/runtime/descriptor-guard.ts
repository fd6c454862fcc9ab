/**
 * Node 20's permission model checks paths, never file descriptors (its own
 * documentation: "using existing file descriptors via the node:fs module
 * bypasses the Permission Model"), and worker threads share the process's
 * descriptor table: the kernel's SQLite files, its listening socket, its
 * clients' connections, its stdout. Without this guard a plugin could read
 * `fs.readSync(fd)` the kernel database (users, peppers), write it, or
 * `listen({fd})` on the kernel's socket and answer its clients.
 *
 * So plugin code may use only descriptors its own thread opened: the fs
 * functions that take a descriptor check it, and the native handles that
 * would adopt one (TCP, Pipe, UDP: `open(fd)`; TTY) refuse. Every other way
 * to a descriptor goes through these. See file-handle-guard.ts for
 * `fs/promises`.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import tty from 'node:tty';

type AnyFunction = (...args: unknown[]) => unknown;

/** fs functions whose first argument is a descriptor; each also as `<name>Sync`. */
const DESCRIPTOR_FIRST = ['fstat', 'read', 'readv', 'write', 'writev', 'fsync', 'fdatasync', 'ftruncate', 'fchmod', 'fchown', 'futimes'];
/** fs functions taking a path or a descriptor; each also as `<name>Sync`. */
const PATH_OR_DESCRIPTOR = ['readFile', 'writeFile', 'appendFile'];

/** Descriptors this thread opened through `fs.open`/`fs.openSync` and has not closed. */
const owned = new Set<number>();

export function accessDenied(what: string): Error {
  return Object.assign(new Error(`${what}: plugins may use only the file descriptors they opened`), { code: 'ERR_ACCESS_DENIED' });
}

export function guardDescriptors(): void {
  guardFsDescriptors();
  guardNativeHandles();
  // A TTY stream adopts any descriptor (the kernel's stdout among them); plugins have no terminal.
  for (const name of ['ReadStream', 'WriteStream'] as const) {
    const refuse = function (): never {
      throw accessDenied(`tty.${name}`);
    };
    Object.defineProperty(tty, name, { value: refuse, writable: false, configurable: false });
  }
}

function guardFsDescriptors(): void {
  const api = fs as unknown as Record<string, AnyFunction>;
  const openSync = api.openSync!;
  replace(api, 'openSync', (...args) => {
    const fd = openSync(...args) as number;
    owned.add(fd);
    return fd;
  });
  const open = api.open!;
  replace(api, 'open', (...args) => {
    const last = args.length - 1;
    const done = args[last];
    if (typeof done === 'function') {
      args[last] = (error: unknown, fd: number) => {
        if (error === null || error === undefined) owned.add(fd);
        (done as AnyFunction)(error, fd);
      };
    }
    return open(...args);
  });
  for (const name of ['close', 'closeSync']) {
    const close = api[name]!;
    replace(api, name, (fd, ...rest) => {
      checkOwned(name, fd);
      owned.delete(fd as number);
      return close(fd, ...rest);
    });
  }
  for (const name of DESCRIPTOR_FIRST.flatMap((n) => [n, `${n}Sync`])) {
    const original = api[name]!;
    replace(api, name, (fd, ...rest) => {
      checkOwned(name, fd);
      return original(fd, ...rest);
    });
  }
  for (const name of PATH_OR_DESCRIPTOR.flatMap((n) => [n, `${n}Sync`])) {
    const original = api[name]!;
    replace(api, name, (target, ...rest) => {
      if (typeof target === 'number') checkOwned(name, target);
      return original(target, ...rest);
    });
  }
}

function checkOwned(name: string, fd: unknown): void {
  if (!owned.has(fd as number)) throw accessDenied(`fs.${name}`);
}

/** Replaces an fs function, keeping its symbols (`util.promisify` reads one on `fs.read`). */
function replace(api: Record<string, AnyFunction>, name: string, wrapper: AnyFunction): void {
  const original = api[name]!;
  for (const key of Object.getOwnPropertySymbols(original)) {
    (wrapper as unknown as Record<symbol, unknown>)[key] = (original as unknown as Record<symbol, unknown>)[key];
  }
  api[name] = wrapper;
}

/**
 * TCP, Pipe and UDP handles can `open(fd)` any descriptor, and their
 * constructors, reachable as `socket._handle.constructor`, make new ones (and
 * abort the process on a bad argument). Both are taken off their prototypes,
 * reached here through throwaway sockets that never touch the network.
 */
function guardNativeHandles(): void {
  const tcp = new net.Socket();
  const pipe = new net.Socket();
  // Handles are made before the arguments are checked: a bad port and a bad path stop both before any I/O.
  refused(() => tcp.connect({ port: -1 }));
  refused(() => pipe.connect({ path: 1 as unknown as string }));
  const udp = dgram.createSocket('udp4');
  const state = Object.getOwnPropertySymbols(udp).find((s) => s.description === 'state symbol');
  const handles = [handleOf(tcp), handleOf(pipe), state === undefined ? undefined : (udp as unknown as Record<symbol, { handle?: object }>)[state]?.handle];
  tcp.destroy();
  pipe.destroy();
  udp.close();
  for (const handle of handles) {
    // Fail closed: a Node whose internals moved must not run plugins unguarded.
    if (handle === undefined || handle === null) throw new Error('cannot guard native socket handles on this Node version');
    const proto = Object.getPrototypeOf(handle) as object;
    const name = (proto as { constructor: { name: string } }).constructor.name;
    const refuse = (): never => {
      throw accessDenied(`${name}.open`);
    };
    Object.defineProperty(proto, 'open', { value: refuse, writable: false, configurable: false });
    Object.defineProperty(proto, 'constructor', { value: undefined, writable: false, configurable: false });
  }
}

function handleOf(socket: net.Socket): object | undefined {
  return (socket as unknown as { _handle?: object })._handle;
}

/** Runs a call made to fail (its error is the point). */
function refused(attempt: () => unknown): void {
  try {
    attempt();
  } catch {
    // expected
  }
}
