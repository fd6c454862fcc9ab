/**
 * The real local plugin in a real isolate for tests: bcrypt cost 4 (fast;
 * the kernel refuses below 10 outside tests), stopped after each test; and
 * the user most tests start with, and a count of the plugin's host calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import type { JsonObject } from '@portcullis/sdk-plugin';

export const PLUGIN_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The password `startWithAda` gives user `ada` (kuid `kuid-ada`). */
export const ADA_PASSWORD = 'correct horse battery staple';

/** How many `method` host calls (password.verify, users.revokeTokens...) the plugin made: the host logs each as it receives it. */
export function hostCalls(p: PluginHarness, method: string): number {
  return p.logs().filter((line) => line.includes(`"hostCall":"${method}"`)).length;
}

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
  /** Starts the plugin (stopping the one running); `dataDir` to restart on the same data. */
  const start = async (config: JsonObject = {}, dataDir?: string): Promise<PluginHarness> => {
    await stop();
    current = await startPluginHarness({ dir: PLUGIN_DIR, config: { cost: 4, ...config }, ...(dataDir === undefined ? {} : { dataDir }) });
    return current;
  };
  return {
    start,
    /**
     * Starts the plugin holding user `ada` / ADA_PASSWORD, whose credentials
     * `createdBy` made: herself by default, so not an admin-set password.
     */
    async startWithAda(config: JsonObject = {}, { dataDir, createdBy = 'kuid-ada' }: { dataDir?: string; createdBy?: string } = {}): Promise<PluginHarness> {
      const plugin = await start(config, dataDir);
      await plugin.call('local', 'create', { credentials: { username: 'ada', password: ADA_PASSWORD }, kuid: 'kuid-ada', request: { userId: createdBy } });
      return plugin;
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
