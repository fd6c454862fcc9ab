/**
 * Starts a real kernel (isolates, SQLite in a temp data dir, the hono app)
 * on fixture plugins copied into a temp plugins folder. Logs are captured
 * so tests can check what was (and was not) logged.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogCapture } from '../../sdk-plugin/src/testing/log-capture.js';
import { loadKernelConfig, type KernelConfig } from '../../kernel/config/kernel-config.js';
import { Kernel, type KernelOptions } from '../../kernel/kernel.js';
import { createLogger } from '../../kernel/log.js';
import { installFixture, tempDir } from './fixtures.js';

export interface FixturePlugin {
  fixture: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
  [setting: string]: unknown;
}

export interface TestKernel {
  kernel: Kernel;
  dataDir: string;
  pluginsDir: string;
  /** The plugins.json this kernel read. */
  pluginsConfig: string;
  logs(): string[];
  /** A request through the real hono app; the body parsed as JSON. */
  request(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * Writes plugins.json for these plugins into a new temp folder; returns the
 * config's path and plugins folder. A plugin with a `fixture` is copied from
 * test/fixtures/plugins; one with `fixture: ''` must already be in `pluginsDir`.
 */
export function preparePlugins(plugins: Record<string, FixturePlugin>, pluginsDir = tempDir('portcullis-plugins-')) {
  const entries: Record<string, unknown> = {};
  for (const [name, { fixture, enabled = true, config = {}, ...settings }] of Object.entries(plugins)) {
    if (fixture !== '') installFixture(pluginsDir, fixture, name);
    entries[name] = { enabled, config, ...settings };
  }
  // Never inside pluginsDir: that may be the repository's own plugins folder.
  const pluginsConfig = join(tempDir('portcullis-config-'), 'plugins.json');
  writeFileSync(pluginsConfig, JSON.stringify({ plugins: entries }));
  return { pluginsDir, pluginsConfig };
}

export async function startTestKernel(
  plugins: Record<string, FixturePlugin>,
  /** `config`: kernel settings over the test defaults (e.g. a small `maxRequestBytes`; `logLevel: 'trace'` to see host calls). */
  options: { dataDir?: string; pluginsDir?: string; config?: Partial<KernelConfig>; ledgerRetry?: KernelOptions['ledgerRetry'] } = {},
): Promise<TestKernel> {
  const dataDir = options.dataDir ?? tempDir('portcullis-data-');
  const { pluginsDir, pluginsConfig } = preparePlugins(plugins, options.pluginsDir);
  const config: KernelConfig = { ...loadKernelConfig({}), port: 0, dataDir, pluginsConfig, pluginsDir, logLevel: 'debug', ...options.config };
  const capture = new LogCapture();
  const kernel = await Kernel.start({ config, log: createLogger(config.logLevel, capture), minPasswordCost: 4, ...(options.ledgerRetry === undefined ? {} : { ledgerRetry: options.ledgerRetry }) });
  return {
    kernel,
    dataDir,
    pluginsDir,
    pluginsConfig,
    logs: () => capture.lines(),
    async request(path, init) {
      const response = await kernel.app.request(path, init);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    stop: () => kernel.stop(),
  };
}
