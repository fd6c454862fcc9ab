import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness } from '@portcullis/sdk-plugin/testing';
import { installFixture, tempDir } from '../helpers/fixtures.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function track<T extends { stop(): Promise<void> }>(started: T): T {
  running.push(started);
  return started;
}

const request = () => ({ requestId: 'r', controller: 'security', action: 'test', userId: null, tokenId: null, args: {}, ip: null });

describe('private storage namespaces', () => {
  it('two plugins using the same collection names see only their own documents', async () => {
    const k: TestKernel = track(
      await startTestKernel({ 'store-a': { fixture: 'minimal', config: { strategy: 'a' } }, 'store-b': { fixture: 'minimal', config: { strategy: 'b' } } }),
    );
    const { registry } = k.kernel.plugins;
    await registry.call('a', 'create', { request: request(), credentials: { login: 'ada', secret: 'x' }, kuid: 'kuid-ada', strategy: 'a' });

    expect(await registry.call('a', 'exists', { request: request(), kuid: 'kuid-ada', strategy: 'a' })).toBe(true);
    expect(await registry.call('b', 'exists', { request: request(), kuid: 'kuid-ada', strategy: 'b' })).toBe(false);
    expect(await registry.call('b', 'search', { request: request(), query: {}, from: 0, size: 10, strategy: 'b' })).toEqual({ hits: [], total: 0 });
    // The same login is free in the other namespace: no shared unique index either.
    await registry.call('b', 'create', { request: request(), credentials: { login: 'ada', secret: 'y' }, kuid: 'kuid-ada', strategy: 'b' });
  });

  it('keeps data across a kernel restart', async () => {
    const dataDir = tempDir();
    const pluginsDir = tempDir();
    const dir = installFixture(pluginsDir, 'minimal');
    const first = await startPluginHarness({ dir, dataDir });
    await first.call('minimal', 'create', { credentials: { login: 'ada', secret: 's3cret' }, kuid: 'kuid-ada' });
    await first.stop();

    const second = track(await startPluginHarness({ dir, dataDir }));
    expect(await second.call('minimal', 'getInfo', { kuid: 'kuid-ada' })).toEqual({ login: 'ada' });
    expect(await second.login('minimal', { login: 'ada', secret: 's3cret' })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it("leaves another plugin's in-flight calls untouched when a plugin crashes", async () => {
    const k = track(await startTestKernel({ minimal: { fixture: 'minimal' }, faulty: { fixture: 'faulty', threads: { min: 1, max: 1 } } }));
    const { registry } = k.kernel.plugins;
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      registry.call('minimal', 'create', { request: request(), credentials: { login: `u${i}`, secret: 'x' }, kuid: `kuid-${i}`, strategy: 'minimal' }),
    );
    const crash = registry.call('faulty', 'exists', { request: request(), kuid: 'exit', strategy: 'faulty' });
    const [created, crashed] = await Promise.all([Promise.allSettled(inFlight), crash.catch((e: unknown) => e)]);
    expect(crashed).toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    expect(created.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('keeps data written before a worker crash', async () => {
    const k = track(await startTestKernel({ minimal: { fixture: 'minimal' }, faulty: { fixture: 'faulty', threads: { min: 1, max: 1 } } }));
    const { registry } = k.kernel.plugins;
    await registry.call('minimal', 'create', { request: request(), credentials: { login: 'ada', secret: 'x' }, kuid: 'kuid-ada', strategy: 'minimal' });
    await expect(registry.call('faulty', 'exists', { request: request(), kuid: 'exit', strategy: 'faulty' })).rejects.toMatchObject({
      id: 'plugin.runtime.unexpected_error',
    });
    expect(await registry.call('minimal', 'exists', { request: request(), kuid: 'kuid-ada', strategy: 'minimal' })).toBe(true);
  });

  it('stays consistent under concurrent writes from two threads of one plugin', async () => {
    const p = track(await startPluginHarness({ dir: installFixture(tempDir(), 'minimal'), settings: { threads: { min: 2, max: 2 } } }));
    // The second thread starts after boot; writes must reach both.
    await expect.poll(() => p.health().threads).toBe(2);
    const writes = Array.from({ length: 200 }, (_, i) =>
      p.call('minimal', 'create', { credentials: { login: `user-${i}`, secret: 'x' }, kuid: `kuid-${i}` }),
    );
    // The same id written from many calls at once: exactly one wins.
    const racing = Array.from({ length: 20 }, (_, i) =>
      p.call('minimal', 'create', { credentials: { login: `racer-${i}`, secret: 'x' }, kuid: 'kuid-race' }),
    );
    // Both awaited together: a losing racer's rejection must have its handler at once.
    const [results, raced] = await Promise.all([Promise.all(writes), Promise.allSettled(racing)]);

    expect(new Set(results.map((r) => (r as { thread: number }).thread)).size).toBe(2);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await p.call('minimal', 'search', { query: {}, from: 0, size: 0 })).toMatchObject({ total: 201 });
  });

  it('answers a document id collision with the conflict error, and a unique field clash too', async () => {
    const p = track(await startPluginHarness({ dir: installFixture(tempDir(), 'minimal') }));
    await p.call('minimal', 'create', { credentials: { login: 'ada', secret: 'x' }, kuid: 'kuid-ada' });
    await expect(p.call('minimal', 'create', { credentials: { login: 'other', secret: 'x' }, kuid: 'kuid-ada' })).rejects.toMatchObject({
      id: 'services.storage.document_already_exists',
    });
    await expect(p.call('minimal', 'create', { credentials: { login: 'ada', secret: 'x' }, kuid: 'kuid-other' })).rejects.toMatchObject({
      id: 'services.storage.unique_violation',
      status: 412,
    });
  });
});
