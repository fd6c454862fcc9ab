import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enabledPlugins, loadPluginsConfig, parsePluginsConfig } from '../../kernel/config/plugins-config.js';
import { thrown } from '../helpers/thrown.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-plugins-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});


/** The detail of the `plugin.config.invalid` error `raw` gets. */
function problems(raw: unknown): string {
  const error = thrown(() => parsePluginsConfig(raw, 'plugins.json'));
  expect(error.id).toBe('plugin.config.invalid');
  expect(error.props[0]).toBe('plugins.json');
  return error.props[1] ?? '';
}

const withLocal = (settings: Record<string, unknown>): unknown => ({ plugins: { local: { enabled: true, ...settings } } });

describe('parsePluginsConfig', () => {
  it('applies the defaults', () => {
    expect(parsePluginsConfig(withLocal({}), 'plugins.json')).toEqual({
      plugins: {
        local: {
          enabled: true,
          config: {},
          threads: { min: 1, max: 2 },
          callTimeoutMs: 10_000,
          initTimeoutMs: 10_000,
          heapMb: 64,
          maxQueue: 1000,
          allowedProfiles: [],
          publicActions: [],
        },
      },
    });
  });

  it('keeps given values, and anything inside config', () => {
    const settings = {
      enabled: false,
      config: { anyKey: { nested: [1, 'two', null, true] } },
      threads: { min: 16, max: 16 },
      callTimeoutMs: 600_000,
      initTimeoutMs: 1,
      heapMb: 4096,
      maxQueue: 0,
      allowedProfiles: ['default', 'oauth-users'],
      publicActions: [],
    };
    expect(parsePluginsConfig({ plugins: { local: settings } }, 'x').plugins.local).toEqual(settings);
  });

  it('defaults the missing half of threads', () => {
    expect(parsePluginsConfig(withLocal({ threads: { max: 8 } }), 'x').plugins.local?.threads).toEqual({ min: 1, max: 8 });
    expect(parsePluginsConfig(withLocal({ threads: { min: 2 } }), 'x').plugins.local?.threads).toEqual({ min: 2, max: 2 });
  });

  it('refuses allowedProfiles that are not a list of profile ids', () => {
    expect(problems(withLocal({ allowedProfiles: 'admin' }))).toContain('plugins.local.allowedProfiles');
    expect(problems(withLocal({ allowedProfiles: ['bad id with spaces'] }))).toContain('plugins.local.allowedProfiles[0]');
  });

  it('accepts an empty plugin list', () => {
    expect(parsePluginsConfig({ plugins: {} }, 'x')).toEqual({ plugins: {} });
  });

  it('names the field, the bound and the value', () => {
    expect(problems(withLocal({ threads: { min: 0 } }))).toBe('plugins.local.threads.min: expected an integer >= 1, got 0');
    expect(problems(withLocal({ heapMb: 4097 }))).toBe('plugins.local.heapMb: expected an integer <= 4096, got 4097');
  });

  it.each([
    ['threads.max', { threads: { max: 17 } }, '<= 16'],
    ['callTimeoutMs', { callTimeoutMs: 0 }, '>= 1'],
    ['callTimeoutMs', { callTimeoutMs: 600_001 }, '<= 600000'],
    ['initTimeoutMs', { initTimeoutMs: 0 }, '>= 1'],
    ['initTimeoutMs', { initTimeoutMs: 600_001 }, '<= 600000'],
    ['heapMb', { heapMb: 15 }, '>= 16'],
    ['maxQueue', { maxQueue: -1 }, '>= 0'],
    ['maxQueue', { maxQueue: 100_001 }, '<= 100000'],
  ])('refuses %s out of bounds (%j)', (field, settings, bound) => {
    expect(problems(withLocal(settings))).toContain(`plugins.local.${field}: expected an integer ${bound}`);
  });

  it.each([
    ['heapMb', { heapMb: 64.5 }, 'expected an integer, got 64.5'],
    ['maxQueue', { maxQueue: '10' }, 'expected an integer, got a string'],
    ['enabled', { enabled: 'yes' }, 'expected a boolean, got a string'],
    ['threads', { threads: 2 }, 'expected an object, got 2'],
  ])('refuses %s of the wrong type', (field, settings, detail) => {
    expect(problems(withLocal(settings))).toBe(`plugins.local.${field}: ${detail}`);
  });

  it('requires enabled', () => {
    expect(problems({ plugins: { local: {} } })).toBe('plugins.local.enabled: missing, expected a boolean');
  });

  it('refuses threads.min above threads.max, default max included', () => {
    expect(problems(withLocal({ threads: { min: 4, max: 3 } }))).toBe('plugins.local.threads: min (4) must not exceed max (3)');
    expect(problems(withLocal({ threads: { min: 3 } }))).toBe('plugins.local.threads: min (3) must not exceed max (2)');
  });

  it('refuses unknown keys at every level but config', () => {
    expect(problems({ plugins: {}, plugin: {} })).toBe('plugin: unknown key');
    expect(problems(withLocal({ treads: { min: 1 } }))).toBe('plugins.local.treads: unknown key');
    expect(problems(withLocal({ threads: { min: 1, maximum: 2 } }))).toBe('plugins.local.threads.maximum: unknown key');
  });

  it.each(['Local', '1local', 'my_plugin', 'my.plugin', '', 'a'.repeat(65), '__proto__'])('refuses the plugin name %j', (name) => {
    const raw = JSON.parse(`{"plugins": {${JSON.stringify(name)}: {"enabled": true}}}`) as unknown;
    expect(problems(raw)).toContain('invalid plugin name, expected kebab-case');
  });

  it('accepts a 64-character kebab-case name', () => {
    const name = `a-${'b'.repeat(62)}`;
    expect(Object.keys(parsePluginsConfig({ plugins: { [name]: { enabled: true } } }, 'x').plugins)).toEqual([name]);
  });

  it.each([
    ['an array', []],
    ['a string', 'client-secret-value'],
    ['null', null],
    ['a non-JSON value', { when: new Date(0) }],
    ['a non-finite number', { ratio: Number.POSITIVE_INFINITY }],
  ])('refuses config as %s, without echoing it', (_what, config) => {
    const detail = problems(withLocal({ config }));
    expect(detail).toBe('plugins.local.config: expected a JSON object');
    expect(detail).not.toContain('client-secret-value');
  });

  it('refuses a config that refers to itself', () => {
    const config: Record<string, unknown> = {};
    config.self = config;
    expect(problems(withLocal({ config }))).toBe('plugins.local.config: expected a JSON object');
  });

  it('refuses a file that is not an object, or has no plugins', () => {
    expect(problems([])).toBe('(top level): expected an object, got an array');
    expect(problems({})).toBe('plugins: missing, expected an object');
  });

  it('lists every problem, separated by "; "', () => {
    const detail = problems({ plugins: { a: { enabled: 1, heapMb: 1 }, b: { enabled: true, maxQueue: -5 } } });
    expect(detail.split('; ')).toEqual([
      'plugins.a.enabled: expected a boolean, got 1',
      'plugins.a.heapMb: expected an integer >= 16, got 1',
      'plugins.b.maxQueue: expected an integer >= 0, got -5',
    ]);
  });
});

describe('enabledPlugins', () => {
  it('returns the enabled plugins in file order', () => {
    const text = '{"plugins": {"zeta": {"enabled": true}, "alpha": {"enabled": false}, "mid": {"enabled": true, "heapMb": 32}}}';
    const enabled = enabledPlugins(parsePluginsConfig(JSON.parse(text), 'x'));
    expect(enabled.map(([name]) => name)).toEqual(['zeta', 'mid']);
    expect(enabled[1]?.[1].heapMb).toBe(32);
  });
});

describe('loadPluginsConfig', () => {
  it('reads the file', () => {
    const file = join(dir, 'plugins.json');
    writeFileSync(file, JSON.stringify({ plugins: { local: { enabled: true, config: { rounds: 10 } } } }));
    expect(loadPluginsConfig(file).plugins.local?.config).toEqual({ rounds: 10 });
  });

  it('reports a missing file', () => {
    const file = join(dir, 'nope.json');
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.id).toBe('plugin.config.invalid');
    expect(error.props).toEqual([file, 'the file does not exist']);
  });

  it('reports an unreadable file', () => {
    const file = join(dir, 'folder.json');
    mkdirSync(file);
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.id).toBe('plugin.config.invalid');
    expect(error.props[0]).toBe(file);
    expect(error.props[1]).toContain('EISDIR');
  });

  it('reports invalid JSON', () => {
    const file = join(dir, 'plugins.json');
    writeFileSync(file, '{"plugins": {,}}');
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.id).toBe('plugin.config.invalid');
    expect(error.props[0]).toBe(file);
    expect(error.props[1]).toMatch(/^not valid JSON/);
  });

  it('locates a JSON syntax error by line and column without quoting the file', () => {
    const file = join(dir, 'plugins.json');
    writeFileSync(file, '{"plugins": {"local": {"enabled": true,\n  "config": {"password": "hunter2-very-secret" "x": 1}}}}');
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.props).toEqual([file, 'not valid JSON (error at line 2, column 48)']);
    expect(error.message).not.toContain('hunter2');
  });

  it('says only "not valid JSON" when Node gives no position', () => {
    const file = join(dir, 'plugins.json');
    writeFileSync(file, '{"plugins": {"local": {"enabled": true, "config": {"password": hunter2-very-secret}}}}');
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.props).toEqual([file, 'not valid JSON']);
    expect(error.message).not.toContain('hunter2');
  });

  it('names the file when the content is wrong', () => {
    const file = join(dir, 'plugins.json');
    writeFileSync(file, '{"plugins": {"local": {"enabled": true, "threads": {"min": 0}}}}');
    const error = thrown(() => loadPluginsConfig(file));
    expect(error.props).toEqual([file, 'plugins.local.threads.min: expected an integer >= 1, got 0']);
    expect(error.message).toContain(file);
  });
});
