// Runs the example plugin of sdk-plugin/README.md in a real isolate, the way
// a plugin author tests their own plugin.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startPluginHarness, type PluginHarness } from '@portcullis/sdk-plugin/testing';

const dir = fileURLToPath(new URL('./passphrase/', import.meta.url));
const PASSPHRASE = 'correct horse battery staple';

let plugin: PluginHarness | undefined;
afterEach(async () => {
  await plugin?.stop();
  plugin = undefined;
});

/** Starts the plugin; cost 4 keeps bcrypt fast (the harness's floor, production's is 10). */
async function start(config = {}): Promise<PluginHarness> {
  plugin = await startPluginHarness({ dir, config: { cost: 4, ...config } });
  return plugin;
}

/** Creates credentials for `kuid` as Kuzzle's API does: validate, then create. */
async function register(p: PluginHarness, kuid: string, login: string, passphrase = PASSPHRASE) {
  const credentials = { login, passphrase };
  await p.call('passphrase', 'validate', { credentials, kuid, isUpdate: false });
  return p.call('passphrase', 'create', { credentials, kuid });
}

describe('the passphrase example plugin', () => {
  it('registers its strategy', async () => {
    const p = await start();
    expect(p.strategies).toEqual(['passphrase']);
    expect(p.health().status).toBe('ready');
  });

  it('creates, reads, updates and deletes credentials', async () => {
    const p = await start();
    expect(await register(p, 'kuid-ada', 'ada')).toEqual({ login: 'ada' });
    expect(await p.call('passphrase', 'exists', { kuid: 'kuid-ada' })).toBe(true);
    expect(await p.call('passphrase', 'exists', { kuid: 'kuid-nobody' })).toBe(false);
    expect(await p.call('passphrase', 'getInfo', { kuid: 'kuid-ada' })).toEqual({ login: 'ada' });
    expect(await p.call('passphrase', 'getById', { id: 'ada' })).toEqual({ login: 'ada', kuid: 'kuid-ada' });

    const renamed = { login: 'lovelace', passphrase: 'an even longer passphrase' };
    await p.call('passphrase', 'validate', { credentials: renamed, kuid: 'kuid-ada', isUpdate: true });
    expect(await p.call('passphrase', 'update', { credentials: renamed, kuid: 'kuid-ada' })).toEqual({ login: 'lovelace' });
    expect(await p.login('passphrase', { login: 'lovelace', passphrase: renamed.passphrase })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
    expect(await p.login('passphrase', { login: 'ada', passphrase: PASSPHRASE })).toMatchObject({ kind: 'fail' });

    await p.call('passphrase', 'delete', { kuid: 'kuid-ada' });
    expect(await p.call('passphrase', 'exists', { kuid: 'kuid-ada' })).toBe(false);
    expect(await p.call('passphrase', 'getInfo', { kuid: 'kuid-ada' })).toEqual({});
    await expect(p.call('passphrase', 'getById', { id: 'lovelace' })).rejects.toMatchObject({ id: 'plugin.custom.not_found', status: 404 });
    await expect(p.call('passphrase', 'delete', { kuid: 'kuid-ada' })).rejects.toMatchObject({ id: 'plugin.custom.not_found' });
  });

  it('refuses a missing or short passphrase, and a missing login', async () => {
    const p = await start();
    const validate = (credentials: Record<string, string>, isUpdate = false) =>
      p.call('passphrase', 'validate', { credentials, kuid: 'kuid-ada', isUpdate });
    await expect(validate({ login: 'ada' })).rejects.toMatchObject({ id: 'plugin.custom.bad_request', status: 400 });
    await expect(validate({ login: 'ada', passphrase: 'too short' })).rejects.toMatchObject({
      id: 'plugin.custom.bad_request',
      message: 'passphrase must be a string of at least 12 characters',
    });
    await expect(validate({ passphrase: PASSPHRASE })).rejects.toMatchObject({ id: 'plugin.custom.bad_request' });
    // On update, each field is optional.
    await expect(validate({ passphrase: PASSPHRASE }, true)).resolves.toBeNull();
    // create checks too, whoever calls it.
    await expect(p.call('passphrase', 'create', { credentials: { login: 'ada', passphrase: 'short' }, kuid: 'kuid-ada' })).rejects.toMatchObject({
      id: 'plugin.custom.bad_request',
    });
  });

  it('takes its minimum length from config', async () => {
    const p = await start({ minLength: 4 });
    await expect(p.call('passphrase', 'validate', { credentials: { login: 'ada', passphrase: 'four' }, kuid: 'k', isUpdate: false })).resolves.toBeNull();
  });

  it('refuses a login already used by another user, not by the same one', async () => {
    const p = await start();
    await register(p, 'kuid-ada', 'ada');
    await expect(p.call('passphrase', 'validate', { credentials: { login: 'ada', passphrase: PASSPHRASE }, kuid: 'kuid-bob', isUpdate: false })).rejects.toMatchObject({
      id: 'plugin.custom.precondition_failed',
      status: 412,
      message: 'Login "ada" is already used.',
    });
    await expect(p.call('passphrase', 'validate', { credentials: { login: 'ada' }, kuid: 'kuid-ada', isUpdate: true })).resolves.toBeNull();
  });

  it('logs in with the right passphrase and fails the same way for every wrong input', async () => {
    const p = await start();
    await register(p, 'kuid-ada', 'ada');
    expect(await p.login('passphrase', { login: 'ada', passphrase: PASSPHRASE })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
    const failed = { kind: 'fail', message: 'wrong login or passphrase', status: 401 };
    expect(await p.login('passphrase', { login: 'ada', passphrase: 'not the passphrase' })).toEqual(failed);
    expect(await p.login('passphrase', { login: 'bob', passphrase: PASSPHRASE })).toEqual(failed);
    expect(await p.login('passphrase', { login: 'ada', passphrase: '' })).toEqual(failed);
    expect(await p.login('passphrase', { login: 'ada' })).toEqual({ kind: 'fail', message: 'Missing credentials', status: 400 });
  });

  it('never returns or logs the hash or the passphrase', async () => {
    const p = await start();
    const created = await register(p, 'kuid-ada', 'ada');
    const info = await p.call('passphrase', 'getInfo', { kuid: 'kuid-ada' });
    const byId = await p.call('passphrase', 'getById', { id: 'ada' });
    for (const result of [created, info, byId]) {
      expect(Object.keys(result)).not.toContain('hash');
      expect(JSON.stringify(result)).not.toMatch(/\$2[aby]\$/); // a bcrypt hash's prefix
    }
    expect(p.logs().join('\n')).not.toContain(PASSPHRASE);
  });

  it('fails its boot when the host refuses the configured cost', async () => {
    plugin = await startPluginHarness({ dir, config: { cost: 3 }, allowBootFailure: true });
    expect(plugin.bootFailure()).toMatchObject({ id: 'plugin.runtime.failed_init' });
    expect(plugin.health().status).toBe('failed');
  });
});
