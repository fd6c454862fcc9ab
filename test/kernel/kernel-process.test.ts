import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preparePlugins } from '../helpers/test-kernel.js';
import { startKernelProcess } from '../helpers/kernel-process.js';
import { tempDir } from '../helpers/fixtures.js';

function environment(plugins = preparePlugins({ minimal: { fixture: 'minimal' } })) {
  return { DATA_DIR: join(tempDir(), 'data'), PLUGINS_CONFIG: plugins.pluginsConfig, PLUGINS_DIR: plugins.pluginsDir };
}

describe('the kernel process', () => {
  it('logs "listening on", serves, keeps its secret at mode 0600, and shuts down cleanly on SIGTERM', async () => {
    const env = environment();
    const kernel = startKernelProcess(env);
    const url = await kernel.listening;

    const health = (await (await fetch(`${url}/_healthCheck`)).json()) as { result: { status: string } };
    expect(health.result.status).toBe('green');
    expect(statSync(join(env.DATA_DIR, 'kernel.secret')).mode & 0o777).toBe(0o600);

    kernel.child.kill('SIGTERM');
    expect(await kernel.exited).toBe(0);
    expect(kernel.output()).toMatch(/stop plugins done[\s\S]*close kernel database done[\s\S]*stopped/);
  });

  it('tightens a DATA_DIR open to other users to 0700, and says so', async () => {
    const env = environment();
    mkdirSync(env.DATA_DIR, { mode: 0o755 });
    chmodSync(env.DATA_DIR, 0o755);
    const kernel = startKernelProcess(env);
    await kernel.listening;
    expect(statSync(env.DATA_DIR).mode & 0o777).toBe(0o700);
    expect(kernel.output()).toContain('was open to other users (mode 755); set to 700');
    kernel.child.kill('SIGTERM');
    expect(await kernel.exited).toBe(0);
  });

  it('shuts down on SIGINT too', async () => {
    const kernel = startKernelProcess(environment());
    await kernel.listening;
    kernel.child.kill('SIGINT');
    expect(await kernel.exited).toBe(0);
  });

  it('refuses a plugins.json with a bad field: exit 1, the message names the field', async () => {
    const env = environment();
    writeFileSync(env.PLUGINS_CONFIG, JSON.stringify({ plugins: { minimal: { enabled: true, threads: { min: 0 } } } }));
    const kernel = startKernelProcess(env);
    expect(await kernel.exited).toBe(1);
    expect(kernel.output()).toContain('plugins.minimal.threads.min');
  });

  it('refuses a bad PORT with a message naming it', async () => {
    const kernel = startKernelProcess({ ...environment(), PORT: 'abc' });
    expect(await kernel.exited).toBe(1);
    expect(kernel.output()).toContain('PORT must be an integer from 0 to 65535');
  });

  it('refuses a short KERNEL_SECRET without echoing it', async () => {
    const kernel = startKernelProcess({ ...environment(), KERNEL_SECRET: 'hunter2-too-short' });
    expect(await kernel.exited).toBe(1);
    expect(kernel.output()).toContain('KERNEL_SECRET must be at least 32 bytes');
    expect(kernel.output()).not.toContain('hunter2');
  });

  it('refuses to start when two plugins declare the same strategy', async () => {
    const plugins = preparePlugins({
      first: { fixture: 'minimal', config: { strategy: 'shared' } },
      second: { fixture: 'minimal', config: { strategy: 'shared' } },
    });
    const kernel = startKernelProcess(environment(plugins));
    expect(await kernel.exited).toBe(1);
    expect(kernel.output()).toContain('Strategy \\"shared\\" is declared by both plugin \\"first\\" and plugin \\"second\\"');
  });
});
