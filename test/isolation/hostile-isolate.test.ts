import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import { ERROR_CATALOGUE } from '@portcullis/sdk-plugin/errors';
import type { PluginSettings } from '../../kernel/config/plugins-config.js';
import { installFixture, tempDir } from '../helpers/fixtures.js';

/**
 * Plugin code shares its thread with the runtime, so it can tamper with what
 * the runtime posts and reach process-wide APIs. These tests play that
 * plugin and show the kernel holds.
 */
let plugin: PluginHarness | undefined;
afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

async function startFaulty(options: { config?: Record<string, never | string | boolean>; settings?: Partial<PluginSettings>; allowBootFailure?: boolean } = {}) {
  plugin = await startPluginHarness({ dir: installFixture(tempDir(), 'faulty'), ...options });
  return plugin;
}

const tamper = (p: PluginHarness, mode: string) => p.call('faulty', 'getInfo', { kuid: 'tamper', request: { args: { mode } } });

describe('messages tampered with inside the isolate', () => {
  it('fails the plugin on a malformed result, and the kernel keeps serving', async () => {
    const p = await startFaulty();
    await expect(tamper(p, 'malformed-outcome')).rejects.toMatchObject({ status: 503 });
    expect(p.health()).toMatchObject({ status: 'failed', error: 'plugin.runtime.malformed_message' });
  });

  it('takes code and status from the catalogue, never from the plugin', async () => {
    const p = await startFaulty();
    const spec = ERROR_CATALOGUE['plugin.custom.bad_request'];
    await expect(tamper(p, 'forged-status')).rejects.toMatchObject({ id: 'plugin.custom.bad_request', status: 400, code: spec.code });
  });

  it('refuses an error id outside the domains a plugin may use', async () => {
    const p = await startFaulty();
    const error = (await tamper(p, 'foreign-id').catch((e: unknown) => e)) as { id: string; message: string };
    expect(error.id).toBe('plugin.runtime.unexpected_error');
    expect(error.message).not.toContain('your token expired');
  });

  it('checks result shapes in the kernel too (a Map is not plain data)', async () => {
    const p = await startFaulty();
    await expect(tamper(p, 'map-value')).rejects.toMatchObject({ id: 'plugin.runtime.invalid_result' });
    await expect(p.call('faulty', 'exists', { kuid: 'anyone' })).resolves.toBe(false);
  });

  it('survives a ready message without an error: the plugin fails to boot, cleanly', async () => {
    const p = await startFaulty({ config: { tamperReady: true }, allowBootFailure: true });
    expect(p.bootFailure()).toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    expect(p.health().status).toBe('failed');
  });
});

describe('what a plugin thread could do to the whole process', () => {
  it('routes console output into the throttled, plugin-tagged log: no forged kernel lines on stdout', async () => {
    const p = await startFaulty();
    await p.call('faulty', 'getInfo', { kuid: 'console-flood' });
    await expect.poll(() => p.logs().filter((l) => l.includes('forged kernel line')).length).toBeGreaterThan(0);
    const routed = p.logs().filter((l) => l.includes('forged kernel line'));
    expect(routed.every((line) => (JSON.parse(line) as { plugin?: string }).plugin === 'faulty')).toBe(true);
    // The log throttle let a burst through and dropped the rest of 5,000.
    expect(routed.length).toBeLessThan(500);
  });

  it('refuses renicing the process and changing V8 flags', async () => {
    const before = os.getPriority(process.pid);
    const p = await startFaulty();
    await expect(p.call('faulty', 'getInfo', { kuid: 'renice' })).resolves.toEqual({
      osDefault: 'ERR_ACCESS_DENIED',
      osNamed: 'ERR_ACCESS_DENIED',
      v8Flags: 'ERR_ACCESS_DENIED',
    });
    expect(os.getPriority(process.pid)).toBe(before);
  });

  it('caps host calls in flight per thread, so bcrypt work cannot pile up', async () => {
    const p = await startFaulty();
    const { hashed, refused } = (await p.call('faulty', 'getInfo', { kuid: 'hash-flood' })) as { hashed: number; refused: Record<string, number> };
    expect(hashed).toBeGreaterThan(0);
    expect(refused['plugin.runtime.unavailable']).toBeGreaterThan(0);
  });
});

describe('replacement threads that cannot start', () => {
  it.each([
    ['fails', 'fail'],
    ['hangs in', 'hang'],
  ])('a plugin whose replacement thread %s init is retried with backoff, then marked failed', async (_how, replacementInit) => {
    const p = await startFaulty({
      config: { replacementInit },
      // The first thread must boot within it: 200 ms failed that boot at a load average of 9. A hanging
      // replacement waits it out 5 times, between backoffs: about 14 s on a quiet machine.
      settings: { threads: { min: 1, max: 1 }, initTimeoutMs: 1000, callTimeoutMs: 1000 },
    });
    await expect(p.call('faulty', 'exists', { kuid: 'exit' })).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    await expect.poll(() => p.health(), { timeout: 50_000, interval: 100 }).toMatchObject({ status: 'failed', error: 'plugin.runtime.failed_init' });
    await expect(p.call('faulty', 'exists', { kuid: 'anyone' })).rejects.toMatchObject({ id: 'plugin.runtime.unavailable' });
  }, 60_000);
});
