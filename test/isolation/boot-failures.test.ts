import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

/** Each strategy-definition defect the `defective` fixture can show, by the error id it must produce. */
const DEFECTS = [
  'authenticators.not_an_object',
  'authenticators.invalid_authenticator',
  'strategy.invalid_definition',
  'strategy.invalid_description',
  'strategy.invalid_methods',
  'strategy.invalid_method_type',
  'strategy.missing_method_function',
  'strategy.invalid_config',
  'strategy.invalid_authenticator',
  'strategy.unknown_authenticator',
  'strategy.invalid_option',
  'strategy.invalid_fields',
];
const defectPlugin = (defect: string) => `defect-${defect.replace(/[._]/g, '-')}`;

describe('plugins that fail at boot', () => {
  let k: TestKernel;

  beforeAll(async () => {
    const plugins: Record<string, { fixture: string; [k: string]: unknown }> = {
      minimal: { fixture: 'minimal' },
      'init-throws': { fixture: 'init-throws' },
      'never-ready': { fixture: 'never-ready', initTimeoutMs: 300 },
      ghost: { fixture: '' },
    };
    for (const defect of DEFECTS) plugins[defectPlugin(defect)] = { fixture: 'defective', config: { defect } };
    k = await startTestKernel(plugins);
  });
  afterAll(() => k.stop());

  it.each(DEFECTS)('a %s defect marks the plugin failed with plugin.%s', async (defect) => {
    const health = k.kernel.plugins.health()[defectPlugin(defect)];
    expect(health).toMatchObject({ status: 'failed', error: `plugin.${defect}` });
  });

  it('reports init that throws as plugin.runtime.failed_init and logs the cause for the operator', () => {
    expect(k.kernel.plugins.health()['init-throws']).toMatchObject({ status: 'failed', error: 'plugin.runtime.failed_init' });
    expect(k.logs().some((line) => line.includes('cannot reach my directory server'))).toBe(true);
  });

  it('fails a plugin whose init never settles with plugin.runtime.init_timeout', () => {
    expect(k.kernel.plugins.health()['never-ready']).toMatchObject({ status: 'failed', error: 'plugin.runtime.init_timeout' });
  });

  it('fails a plugin enabled in plugins.json but missing from the plugins folder', () => {
    expect(k.kernel.plugins.health().ghost).toMatchObject({ status: 'failed', error: 'plugin.config.not_found' });
  });

  it('keeps serving: health is yellow, names each plugin, and the valid plugin works', async () => {
    const { status, body } = await k.request('/_healthCheck');
    expect(status).toBe(200);
    const result = body.result as { status: string; plugins: Record<string, { status: string }> };
    expect(result.status).toBe('yellow');
    expect(result.plugins.minimal!.status).toBe('ready');
    expect(Object.keys(result.plugins)).toHaveLength(DEFECTS.length + 4);
    await expect(k.kernel.plugins.registry.call('minimal', 'exists', { request: anyRequest(), kuid: 'x', strategy: 'minimal' })).resolves.toBe(false);
  });

  it('answers calls to a failed plugin strategy with 503 plugin.runtime.unavailable', async () => {
    await expect(
      k.kernel.plugins.registry.call('init-throws', 'exists', { request: anyRequest(), kuid: 'x', strategy: 'init-throws' }),
    ).rejects.toMatchObject({ id: 'plugin.runtime.unavailable', status: 503 });
  });
});

describe('two plugins declaring the same strategy', () => {
  it('is a boot error naming both plugins', async () => {
    const start = startTestKernel({
      first: { fixture: 'minimal', config: { strategy: 'shared' } },
      second: { fixture: 'minimal', config: { strategy: 'shared' } },
    });
    await expect(start).rejects.toMatchObject({
      id: 'plugin.strategy.duplicate_strategy',
      message: 'Strategy "shared" is declared by both plugin "first" and plugin "second".',
    });
  });
});

function anyRequest() {
  return { requestId: 'r', controller: 'security', action: 'test', userId: null, tokenId: null, args: {}, ip: null };
}
