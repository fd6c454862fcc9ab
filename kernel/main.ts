/**
 * Entry point: wiring only. Reads configuration from the environment (and
 * optional flags), starts the kernel, listens, and shuts down cleanly on
 * SIGINT/SIGTERM. A configuration error exits with status 1 and a message
 * naming what to fix.
 */
import { loadKernelConfig } from './config/kernel-config.js';
import { Kernel } from './kernel.js';
import { createLogger, type Logger } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadKernelConfig(process.env, process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`portcullis: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  // Registered before anything starts: a signal during boot must stop cleanly too.
  const running = { kernel: null as Kernel | null, stopping: false };
  process.on('SIGINT', () => shutdown('SIGINT', running, log));
  process.on('SIGTERM', () => shutdown('SIGTERM', running, log));
  try {
    running.kernel = await Kernel.start({ config, log });
    if (running.stopping) return void shutdownNow(running.kernel, log);
    await running.kernel.listen();
  } catch (error) {
    log.fatal(`cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
}

function shutdown(signal: string, running: { kernel: Kernel | null; stopping: boolean }, log: Logger): void {
  if (running.stopping) {
    log.warn(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  running.stopping = true;
  log.info(`${signal} received: shutting down`);
  // Still booting: main() stops the kernel as soon as it exists.
  if (running.kernel !== null) shutdownNow(running.kernel, log);
}

function shutdownNow(kernel: Kernel, log: Logger): void {
  kernel.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}

await main();
