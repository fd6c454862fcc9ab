/**
 * Runs the built kernel (dist/kernel/main.js) as a separate process, the
 * way a user starts it, and waits for its `listening on` line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const KERNEL_MAIN = fileURLToPath(new URL('../../dist/kernel/main.js', import.meta.url));

export interface KernelProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the URL from the `listening on` line. */
  listening: Promise<string>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startKernelProcess(env: Record<string, string>, args: string[] = []): KernelProcess {
  const child = spawn(process.execPath, [KERNEL_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`kernel exited with ${code} before listening:\n${output}`)));
  });
  listening.catch(() => undefined);
  return { child, output: () => output, listening, exited };
}
