/**
 * The real local plugin in a real isolate for tests: bcrypt cost 4 (fast;
 * the kernel refuses below 10 outside tests), stopped after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import type { JsonObject } from '@portcullis/sdk-plugin';

export const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));

export function localPlugin() {
  let current: PluginHarness | undefined;
  const ownDirs: string[] = [];
  const stop = async () => {
    await current?.stop();
    current = undefined;
  };
  afterEach(stop);
  afterAll(() => {
    for (const dir of ownDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    /** Starts the plugin (stopping the one running); `dataDir` to restart on the same data. */
    async start(config: JsonObject = {}, dataDir?: string): Promise<PluginHarness> {
      await stop();
      current = await startPluginHarness({ dir: PLUGIN_DIR, config: { cost: 4, ...config }, ...(dataDir === undefined ? {} : { dataDir }) });
      return current;
    },
    stop,
    /** A data folder that outlives a stop (the harness deletes only folders it made). */
    dataDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-local-'));
      ownDirs.push(dir);
      return dir;
    },
  };
}
