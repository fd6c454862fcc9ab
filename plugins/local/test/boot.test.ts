/**
 * The local plugin's boot in a kernel with production's bcrypt floor (10),
 * not the tests' 4: the plugin checks its cost with the host at init, so a
 * cost the kernel refuses stops it at boot, not at its first login.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKernelConfig } from '../../../kernel/config/kernel-config.js';
import { Kernel } from '../../../kernel/kernel.js';
import { createLogger } from '../../../kernel/log.js';
import { PLUGIN_DIR } from './local-plugin.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function bootWithCost(cost: number): Promise<Kernel> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-local-boot-'));
  dirs.push(dir);
  const pluginsConfig = join(dir, 'plugins.json');
  writeFileSync(pluginsConfig, JSON.stringify({ plugins: { local: { enabled: true, config: { cost } } } }));
  const config = { ...loadKernelConfig({}), port: 0, dataDir: join(dir, 'data'), pluginsConfig, pluginsDir: join(PLUGIN_DIR, '..'), logLevel: 'silent' as const };
  // No minPasswordCost: the kernel's own floor, as `node dist/kernel/main.js` runs.
  return Kernel.start({ config, log: createLogger('silent') });
}

describe('local plugin boot', () => {
  it('fails to boot with a cost below the kernel floor, not at its first login', async () => {
    const kernel = await bootWithCost(5);
    try {
      expect(kernel.plugins.bootFailure('local')).toMatchObject({ id: 'plugin.runtime.failed_init' });
      expect(kernel.plugins.health().local?.status).toBe('failed');
    } finally {
      await kernel.stop();
    }
  });

  it('boots with a cost the kernel accepts', async () => {
    const kernel = await bootWithCost(10);
    try {
      expect(kernel.plugins.bootFailure('local')).toBeUndefined();
      expect(kernel.plugins.health().local?.status).toBe('ready');
    } finally {
      await kernel.stop();
    }
  });
});
