import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';
import { installFixture, tempDir } from '../helpers/fixtures.js';

let plugin: PluginHarness | undefined;
afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

async function startMinimal(): Promise<PluginHarness> {
  plugin = await startPluginHarness({ dir: installFixture(tempDir(), 'minimal') });
  return plugin;
}

describe('a valid strategy plugin in a real isolate', () => {
  it('registers its strategy and serves every strategy method', async () => {
    const p = await startMinimal();
    expect(p.strategies).toEqual(['minimal']);
    expect(p.health().status).toBe('ready');

    await p.call('minimal', 'validate', { credentials: { login: 'ada', secret: 's3cret' }, kuid: 'kuid-ada', isUpdate: false });
    expect(await p.call('minimal', 'create', { credentials: { login: 'ada', secret: 's3cret' }, kuid: 'kuid-ada' })).toMatchObject({ login: 'ada' });
    expect(await p.call('minimal', 'exists', { kuid: 'kuid-ada' })).toBe(true);
    expect(await p.call('minimal', 'exists', { kuid: 'kuid-nobody' })).toBe(false);
    expect(await p.call('minimal', 'getInfo', { kuid: 'kuid-ada' })).toEqual({ login: 'ada' });
    expect(await p.call('minimal', 'getById', { id: 'ada' })).toEqual({ login: 'ada', kuid: 'kuid-ada' });
    expect(await p.call('minimal', 'search', { query: { login: 'ada' }, from: 0, size: 10 })).toEqual({
      hits: [{ kuid: 'kuid-ada', login: 'ada' }],
      total: 1,
    });
    expect(await p.call('minimal', 'update', { credentials: { secret: 'n3w' }, kuid: 'kuid-ada' })).toEqual({ login: 'ada' });
    await p.call('minimal', 'delete', { kuid: 'kuid-ada' });
    expect(await p.call('minimal', 'exists', { kuid: 'kuid-ada' })).toBe(false);
  });

  it('runs the passport strategy for verify and maps its outcomes', async () => {
    const p = await startMinimal();
    await p.call('minimal', 'create', { credentials: { login: 'ada', secret: 's3cret' }, kuid: 'kuid-ada' });

    expect(await p.login('minimal', { login: 'ada', secret: 's3cret' })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
    expect(await p.login('minimal', { login: 'ada', secret: 'wrong' })).toEqual({ kind: 'fail', message: 'wrong login or secret', status: 401 });
    expect(await p.login('minimal', { login: 'ada' })).toEqual({ kind: 'fail', message: 'Missing credentials', status: 400 });
  });

  it('answers a plugin error with its catalogue id', async () => {
    const p = await startMinimal();
    await expect(p.call('minimal', 'validate', { credentials: {}, kuid: 'k', isUpdate: false })).rejects.toMatchObject({
      id: 'plugin.custom.bad_request',
      status: 400,
      message: 'login is required',
    });
  });

  it('answers an unknown strategy with 400 security.credentials.unknown_strategy', async () => {
    const p = await startMinimal();
    await expect(p.call('nope', 'exists', { kuid: 'k' })).rejects.toMatchObject({ id: 'security.credentials.unknown_strategy', status: 400 });
  });
});

describe('the harness data dir', () => {
  it('is removed by stop() when the harness made it', async () => {
    const p = await startPluginHarness({ dir: installFixture(tempDir(), 'minimal') });
    expect(existsSync(p.dataDir)).toBe(true);
    await p.stop();
    expect(existsSync(p.dataDir)).toBe(false);
  });

  it('is kept by stop() when the caller passed it', async () => {
    const dataDir = tempDir();
    const p = await startPluginHarness({ dir: installFixture(tempDir(), 'minimal'), dataDir });
    await p.stop();
    expect(existsSync(dataDir)).toBe(true);
  });
});
