/**
 * A plugin thread's V8 limits (kernel/plugins/isolate-options.ts). Every
 * thread keeps its young generation resident once grown: at the default heap
 * it must stay small (2 MB; 8 MB before cost about 3 MB of RSS per isolate).
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parsePluginsConfig } from '../../kernel/config/plugins-config.js';
import { piscinaOptions } from '../../kernel/plugins/isolate-options.js';

/** A thread started with `resourceLimits` after it allocated a lot of short-lived objects: the size of its new space. */
async function grownNewSpace(resourceLimits: ReturnType<typeof piscinaOptions>['resourceLimits']): Promise<number> {
  const code = `
    const { getHeapSpaceStatistics } = require('node:v8');
    let kept = [];
    for (let i = 0; i < 300000; i++) { kept.push({ i, text: 'x' + i }); if (kept.length > 20000) kept = []; }
    require('node:worker_threads').parentPort.postMessage(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size);`;
  const worker = new Worker(code, { eval: true, resourceLimits });
  try {
    return await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

function limitsFor(plugin: Record<string, unknown>) {
  const settings = parsePluginsConfig({ plugins: { p: { enabled: true, ...plugin } } }, 'test').plugins.p!;
  const boot = { plugin: 'p', version: '1.0.0', pluginDir: '/nonexistent', entry: '/nonexistent/index.js', config: {}, callTimeoutMs: 1000 };
  return piscinaOptions(boot, settings, () => null).resourceLimits;
}

describe('plugin thread limits', () => {
  it('the default heap (64 MB) gives a young generation of 2 MB, which V8 keeps to once grown', async () => {
    const limits = limitsFor({});
    expect(limits).toEqual({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2, stackSizeMb: 4 });
    expect(await grownNewSpace(limits)).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('a larger heap gets a young generation of heapMb / 32', () => {
    expect(limitsFor({ heapMb: 512 })).toMatchObject({ maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 });
    expect(limitsFor({ heapMb: 16 })).toMatchObject({ maxYoungGenerationSizeMb: 2 });
  });
});
