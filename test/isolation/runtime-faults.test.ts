import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import type { PluginSettings } from '../../kernel/config/plugins-config.js';
import { installFixture, tempDir } from '../helpers/fixtures.js';

let plugin: PluginHarness | undefined;
afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

async function startFaulty(settings: Partial<PluginSettings> = {}): Promise<PluginHarness> {
  plugin = await startPluginHarness({ dir: installFixture(tempDir(), 'faulty'), settings: { callTimeoutMs: 1000, ...settings } });
  return plugin;
}

const exists = (p: PluginHarness, kuid: string) => p.call('faulty', 'exists', { kuid });
const getInfo = (p: PluginHarness, kuid: string) => p.call('faulty', 'getInfo', { kuid });

describe('a plugin thread that dies mid-call', () => {
  it.each(['crash-async', 'exit'])('(%s) fails only the in-flight call; the thread is replaced', async (behaviour) => {
    const p = await startFaulty({ threads: { min: 1, max: 1 } });
    await expect(exists(p, behaviour)).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error', status: 500 });
    await expect(exists(p, 'anyone')).resolves.toBe(false);
    expect(p.health()).toMatchObject({ status: 'ready', crashesLastMinute: 1 });
  });

  it('backs off after repeated crashes: quick 503s, then serves again', async () => {
    const p = await startFaulty({ threads: { min: 1, max: 1 } });
    await expect(exists(p, 'exit')).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    await expect(exists(p, 'exit')).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    // Second crash within a minute: held unavailable for 250 ms.
    await expect(exists(p, 'anyone')).rejects.toMatchObject({ id: 'plugin.runtime.unavailable', status: 503 });
    expect(p.health()).toMatchObject({ status: 'backing-off', crashesLastMinute: 2, retryInMs: expect.any(Number) });
    // Served again once the window is over: wait for that, not for a guessed time.
    await expect.poll(() => exists(p, 'anyone').catch((error: { id?: string }) => error.id), { timeout: 10_000, interval: 25 }).toBe(false);
  });

  it("fails only the calls on the dying thread; the other thread's calls succeed", async () => {
    const p = await startFaulty({ threads: { min: 2, max: 2 } });
    await expect.poll(() => p.health().threads).toBe(2);
    const slow = Array.from({ length: 8 }, () => getInfo(p, 'slow-thread') as Promise<{ thread: number }>);
    const crash = exists(p, 'exit');
    const results = await Promise.allSettled([...slow, crash]);
    const survivors = results.flatMap((r) => (r.status === 'fulfilled' && typeof r.value === 'object' ? [(r.value as { thread: number }).thread] : []));
    // Calls are spread over both threads; the crash takes one thread's calls with it.
    expect(survivors.length).toBeGreaterThan(0);
    expect(new Set(survivors).size).toBe(1);
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThan(1);
  });
});

describe('deadlines and limits', () => {
  it('aborts a call stuck in a busy loop at its deadline and replaces the thread', async () => {
    const p = await startFaulty({ callTimeoutMs: 300, threads: { min: 1, max: 1 } });
    await expect(exists(p, 'hang-loop')).rejects.toMatchObject({ id: 'plugin.runtime.timeout', status: 504 });
    await expect(exists(p, 'anyone')).resolves.toBe(false);
  });

  it('aborts a call whose promise never settles', async () => {
    const p = await startFaulty({ callTimeoutMs: 300 });
    await expect(exists(p, 'hang-promise')).rejects.toMatchObject({ id: 'plugin.runtime.timeout' });
  });

  it('stops a thread that exceeds its heap without touching the kernel', async () => {
    const p = await startFaulty({ heapMb: 32, callTimeoutMs: 10_000, threads: { min: 1, max: 1 } });
    await expect(exists(p, 'heap')).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    await expect(exists(p, 'anyone')).resolves.toBe(false);
  });

  it('answers 503 at once when the call queue is past maxQueue', async () => {
    const p = await startFaulty({ maxQueue: 2, callTimeoutMs: 2000, threads: { min: 1, max: 1 } });
    // 64 calls fill the thread, 2 fill the queue; the next is refused at once.
    const held = Array.from({ length: 66 }, () => exists(p, 'hang-promise').catch(() => 'settled'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(exists(p, 'anyone')).rejects.toMatchObject({ id: 'plugin.runtime.unavailable', message: expect.stringContaining('queue is full') });
    await Promise.all(held);
  });
});

describe('results a plugin must not return', () => {
  it.each(['huge', 'non-cloneable', 'cyclic'])('refuses a %s result with plugin.runtime.invalid_result', async (kind) => {
    const p = await startFaulty();
    await expect(getInfo(p, kind)).rejects.toMatchObject({ id: 'plugin.runtime.invalid_result', status: 500 });
    await expect(exists(p, 'anyone')).resolves.toBe(false);
  });

  it('refuses a non-boolean exists', async () => {
    const p = await startFaulty();
    await expect(exists(p, 'not-boolean')).rejects.toMatchObject({ id: 'plugin.runtime.invalid_result' });
  });
});

describe('verify follows Kuzzle rules', () => {
  it.each([
    ['not-promise', 'plugin.strategy.invalid_verify_return'],
    ['non-object', 'plugin.strategy.invalid_verify_resolve'],
    ['bad-kuid', 'plugin.strategy.invalid_kuid'],
  ])('%s -> %s', async (mode, id) => {
    const p = await startFaulty();
    await expect(p.login('faulty', { mode })).rejects.toMatchObject({ id });
  });

  it.each(['sync-throw', 'authenticate-throws'])('catches a synchronous throw (%s) and answers unexpected_error with a log reference', async (mode) => {
    const p = await startFaulty();
    const error = (await p.login('faulty', { mode }).catch((e: unknown) => e)) as { id: string; message: string };
    expect(error.id).toBe('plugin.runtime.unexpected_error');
    const ref = /reference ([0-9a-f-]{36})/.exec(error.message)?.[1];
    expect(ref).toBeDefined();
    // The detail is in the log, under that reference; never in the answer.
    expect(error.message).not.toContain('blew up');
    expect(p.logs().some((line) => line.includes(ref!) && line.includes('blew up'))).toBe(true);
  });

  it('maps {kuid: null, message} to a failed login with that message, and a kuid to success', async () => {
    const p = await startFaulty();
    await expect(p.login('faulty', { mode: 'refuse' })).resolves.toEqual({ kind: 'fail', message: 'go away', status: 401 });
    await expect(p.login('faulty', { mode: 'ok' })).resolves.toEqual({ kind: 'success', kuid: 'kuid-ok' });
  });
});

describe('afterRegister', () => {
  it('is called with the passport strategy instance when the thread loads, and the kernel can call it', async () => {
    const p = await startFaulty({ threads: { min: 1, max: 1 } });
    expect(await getInfo(p, 'after-register')).toEqual({ registrations: ['ModeStrategy'] });
    await expect(p.call('faulty', 'afterRegister', {})).resolves.toBeNull();
    expect(await getInfo(p, 'after-register')).toEqual({ registrations: ['ModeStrategy', 'ModeStrategy'] });
  });
});

describe('the isolate boundary', () => {
  it('gives the plugin an empty environment, no signalling, no bindings, and only its boot data', async () => {
    const p = await startFaulty();
    await expect(getInfo(p, 'introspect')).resolves.toEqual({
      envKeys: [],
      workerDataKeys: ['plugin', 'version', 'pluginDir', 'entry', 'config', 'callTimeoutMs'],
      kill: 'undefined',
      abort: 'undefined',
      binding: 'undefined',
      dlopen: 'undefined',
    });
  });

  it('denies reading outside its folders, writing, spawning, starting workers and loading native addons', async () => {
    const p = await startFaulty();
    // A real secret file where the kernel keeps one: the denial is of a file that exists.
    const secretFile = join(p.dataDir, 'kernel.secret');
    writeFileSync(secretFile, 'a'.repeat(128), { mode: 0o600 });
    // better-sqlite3's compiled addon: the kernel loads it, a plugin must not.
    const nativeAddon = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    const attempts = await p.call('faulty', 'getInfo', { kuid: 'escape', request: { args: { secretFile, nativeAddon } } });
    expect(attempts).toEqual({
      readEtcPasswd: 'ERR_ACCESS_DENIED',
      listPluginsFolder: 'ERR_ACCESS_DENIED',
      readKernelSecret: 'ERR_ACCESS_DENIED',
      writeOwnFolder: 'ERR_ACCESS_DENIED',
      spawnProcess: 'ERR_ACCESS_DENIED',
      startWorker: 'ERR_ACCESS_DENIED',
      // Two layers: the runtime removed process.dlopen before plugin code
      // loaded; behind it the permission model answers ERR_DLOPEN_DISABLED.
      loadNativeAddon: 'process.dlopen is not a function',
    });
  });

  it('refuses a forged hello from plugin code: no channel is opened, the plugin keeps serving', async () => {
    const p = await startFaulty();
    const { replies } = (await getInfo(p, 'forged-hello')) as { replies: unknown[] };
    expect(replies).toEqual([]);
    expect(p.logs().some((line) => line.includes('refused a hello'))).toBe(true);
    await expect(exists(p, 'anyone')).resolves.toBe(false);
  });

  it('fails a plugin that breaks the handshake protocol, and answers 503 after', async () => {
    const p = await startFaulty();
    // The offending call itself may be cut short as the plugin is torn down.
    await getInfo(p, 'garbage-on-parent-port').catch(() => undefined);
    await expect.poll(() => p.health().status).toBe('failed');
    expect(p.health().error).toBe('plugin.runtime.protocol_mismatch');
    await expect(exists(p, 'anyone')).rejects.toMatchObject({ id: 'plugin.runtime.unavailable', status: 503 });
  });
});
