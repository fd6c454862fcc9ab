/**
 * A worker thread's stdout and stderr are the kernel's own: a plugin writing
 * there (console.log, process.stdout.write, process._rawDebug) would bypass
 * the log throttle and the plugin tag, and could forge kernel log lines.
 * Everything it writes becomes a plugin log line instead, sent before any
 * plugin code loads.
 */
import type { HostChannel } from '../host-channel.js';
import type { LogLevel } from '../protocol.js';

export function routeOutputToHostLog(host: HostChannel): void {
  process.stdout.write = logWriter(host, 'info') as typeof process.stdout.write;
  process.stderr.write = logWriter(host, 'warn') as typeof process.stderr.write;
  Object.defineProperty(process, '_rawDebug', {
    value: (...args: unknown[]) => host.log('debug', args.map(String).join(' ')),
    writable: false,
    configurable: false,
  });
}

function logWriter(host: HostChannel, level: LogLevel) {
  return (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    for (const line of text.split('\n')) if (line.length > 0) host.log(level, line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
}
