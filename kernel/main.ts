/**
 * Entry point: wiring only. Reads configuration from the environment (and
 * optional flags), starts the kernel, listens, and shuts down cleanly on
 * SIGINT/SIGTERM. A configuration error exits with status 1 and a message
 * naming what to fix.
 */
import { loadKernelConfig } from './config/kernel-config.js';
import { Kernel } from './kernel.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadKernelConfig(process.env, process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`portcullis: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel);
  let kernel: Kernel;
  try {
    kernel = await Kernel.start({ config, log });
    await kernel.listen();
  } catch (error) {
    log.fatal(`cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal} received: shutting down`);
    kernel.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
