import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PluginError } from '@portcullis/sdk-plugin/errors';
import { loadManifest, refuseEscapingLinks } from '../../kernel/plugins/plugin-manifest.js';
import { thrown } from '../helpers/thrown.js';

const KERNEL = '0.1.0';
let root: string;
let pluginsDir: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'portcullis-manifest-')));
  pluginsDir = join(root, 'plugins');
  mkdirSync(pluginsDir);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const VALID = { name: 'local', version: '1.2.3', kernelVersion: '^0.1.0', main: 'dist/index.js' };

/** Writes `plugins/<name>/` with a manifest (object, or raw text) and an entry file. */
function writePlugin(manifest: unknown, name = 'local'): string {
  const dir = join(pluginsDir, name);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist/index.js'), 'export default {};\n');
  writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}


const failure = (name = 'local', kernel = KERNEL): PluginError => thrown(() => loadManifest(pluginsDir, name, kernel));

describe('loadManifest', () => {
  it('returns the manifest with real absolute paths', () => {
    const dir = writePlugin(VALID);
    expect(loadManifest(pluginsDir, 'local', KERNEL)).toEqual({
      name: 'local',
      version: '1.2.3',
      kernelVersion: '^0.1.0',
      dir,
      entry: join(dir, 'dist/index.js'),
    });
  });

  it('ignores extra fields, even ones named like its results', () => {
    const extra = { description: 'x', dir: '/etc', entry: '/etc/passwd' };
    const text = JSON.stringify({ ...VALID, ...extra }).replace(/^\{/, '{"__proto__": {"main": "x"}, ');
    const dir = writePlugin(text);
    expect(loadManifest(pluginsDir, 'local', KERNEL)).toMatchObject({ dir, entry: join(dir, 'dist/index.js') });
  });

  it('follows a symlinked plugin folder to its real path', () => {
    const dir = writePlugin(VALID);
    const linkedPlugins = join(root, 'linked');
    mkdirSync(linkedPlugins);
    symlinkSync(dir, join(linkedPlugins, 'local'));
    expect(loadManifest(linkedPlugins, 'local', KERNEL)).toMatchObject({ dir, entry: join(dir, 'dist/index.js') });
  });

  describe('folder and file', () => {
    it('reports a missing folder', () => {
      const error = failure('absent');
      expect(error.id).toBe('plugin.config.not_found');
      expect(error.props).toEqual(['absent', `folder ${join(pluginsDir, 'absent')} does not exist`]);
    });

    it('reports a folder without manifest.json', () => {
      mkdirSync(join(pluginsDir, 'local'));
      const error = failure();
      expect(error.id).toBe('plugin.config.not_found');
      expect(error.props[1]).toBe(`its folder ${join(pluginsDir, 'local')} has no manifest.json`);
    });

    it('reports a plugin path that is a file', () => {
      writeFileSync(join(pluginsDir, 'local'), '');
      expect(failure().id).toBe('plugin.config.not_found');
    });

    it('refuses a requested name that would leave the plugins folder', () => {
      expect(failure('../local').id).toBe('plugin.manifest.invalid_name');
    });

    it('locates a JSON syntax error by line and column without quoting the file', () => {
      writePlugin('{"name": "local",\n  "password": "hunter2-very-secret",\n  "version": 1,}');
      const error = failure();
      expect(error.id).toBe('plugin.manifest.cannot_load');
      expect(error.props[1]).toBe('not valid JSON (error at line 3, column 16)');
      expect(error.message).not.toContain('hunter2');
    });

    it('says only "not valid JSON" when Node gives no position', () => {
      writePlugin('{"name": "local", "password": hunter2-very-secret}');
      const error = failure();
      expect(error.props[1]).toBe('not valid JSON');
      expect(error.message).not.toContain('hunter2');
    });

    it.each([
      ['invalid JSON', '{"name": "local",'],
      ['a JSON array', '[]'],
      ['JSON null', 'null'],
    ])('refuses %s', (_what, text) => {
      writePlugin(text);
      const error = failure();
      expect(error.id).toBe('plugin.manifest.cannot_load');
      expect(error.props[0]).toBe('local');
    });

    it('refuses an unreadable manifest', () => {
      const dir = writePlugin(VALID);
      rmSync(join(dir, 'manifest.json'));
      mkdirSync(join(dir, 'manifest.json'));
      expect(failure().id).toBe('plugin.manifest.cannot_load');
    });
  });

  describe('name', () => {
    it('is required', () => {
      writePlugin({ ...VALID, name: undefined });
      expect(failure().id).toBe('plugin.manifest.missing_name');
    });

    it.each([42, '', null, ['local']])('must be a non-empty string, not %j', (name) => {
      writePlugin({ ...VALID, name });
      expect(failure().id).toBe('plugin.manifest.invalid_name_type');
    });

    it.each(['Local', 'my_plugin', '1local', 'a'.repeat(65)])('refuses the characters of %j', (name) => {
      writePlugin({ ...VALID, name });
      const error = failure();
      expect(error.id).toBe('plugin.manifest.invalid_name');
      expect(error.props[0]).toBe('local');
    });

    it('must match the folder', () => {
      writePlugin({ ...VALID, name: 'other' });
      const error = failure();
      expect(error.id).toBe('plugin.manifest.name_mismatch');
      expect(error.props).toEqual(['local', 'other', 'local']);
      expect(error.message).toBe('[local] manifest.json names the plugin "other", but it is enabled as "local".');
    });
  });

  describe('version and kernelVersion', () => {
    it.each([undefined, 'one', '1.0', 1])('refuses version %j', (version) => {
      writePlugin({ ...VALID, version });
      const error = failure();
      expect(error.id).toBe('plugin.manifest.invalid_field');
      expect(error.props.slice(0, 2)).toEqual(['local', 'version']);
    });

    it('requires kernelVersion', () => {
      writePlugin({ ...VALID, kernelVersion: undefined });
      expect(failure().id).toBe('plugin.manifest.missing_version');
    });

    it.each(['not a range', 7, '>>1'])('refuses the kernelVersion range %j', (kernelVersion) => {
      writePlugin({ ...VALID, kernelVersion });
      const error = failure();
      expect(error.id).toBe('plugin.manifest.invalid_field');
      expect(error.props.slice(0, 2)).toEqual(['local', 'kernelVersion']);
    });

    it('refuses a kernel outside the range', () => {
      writePlugin({ ...VALID, kernelVersion: '^2.0.0' });
      const error = failure();
      expect(error.id).toBe('plugin.manifest.version_mismatch');
      expect(error.props).toEqual(['local', KERNEL, '^2.0.0']);
    });

    it('lets a pre-release kernel satisfy a plain range', () => {
      writePlugin({ ...VALID, kernelVersion: '>=0.1.0' });
      expect(loadManifest(pluginsDir, 'local', '0.2.0-rc.1').kernelVersion).toBe('>=0.1.0');
    });
  });

  describe('main', () => {
    const invalidMain = (main: unknown): PluginError => {
      writePlugin({ ...VALID, main });
      return failure();
    };

    it.each([undefined, '', 3])('must be a non-empty string, not %j', (main) => {
      expect(invalidMain(main).id).toBe('plugin.manifest.invalid_main');
    });

    it('must be relative', () => {
      expect(invalidMain(join(pluginsDir, 'local/dist/index.js')).id).toBe('plugin.manifest.invalid_main');
    });

    it('must exist', () => {
      expect(invalidMain('dist/missing.js').id).toBe('plugin.manifest.invalid_main');
    });

    it('must be a file', () => {
      expect(invalidMain('dist').id).toBe('plugin.manifest.invalid_main');
      expect(invalidMain('.').id).toBe('plugin.manifest.invalid_main');
    });

    it('may not leave the folder with ../', () => {
      writeFileSync(join(pluginsDir, 'evil.js'), '');
      const error = invalidMain('../evil.js');
      expect(error.id).toBe('plugin.manifest.invalid_main');
      expect(error.props[1]).toContain('outside the plugin folder');
    });

    it('may not reach a sibling folder whose name starts like its own', () => {
      mkdirSync(join(pluginsDir, 'local-evil'));
      writeFileSync(join(pluginsDir, 'local-evil/index.js'), '');
      expect(invalidMain('../local-evil/index.js').id).toBe('plugin.manifest.invalid_main');
    });

    it('may not leave the folder through a symlink', () => {
      const dir = writePlugin(VALID);
      writeFileSync(join(root, 'outside.js'), '');
      symlinkSync(join(root, 'outside.js'), join(dir, 'dist/link.js'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...VALID, main: 'dist/link.js' }));
      // The folder walk refuses the link before main is even looked at.
      expect(failure().id).toBe('plugin.manifest.unsafe_symlink');
    });

    it('may follow a symlink that stays inside, and returns its target', () => {
      const dir = writePlugin(VALID);
      symlinkSync('dist/index.js', join(dir, 'entry.js'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...VALID, main: './entry.js' }));
      expect(loadManifest(pluginsDir, 'local', KERNEL).entry).toBe(join(dir, 'dist/index.js'));
    });
  });
});

describe('symbolic links in the plugin folder', () => {
  /** A plugin folder plus `<root>/data/kernel.secret`, which the plugin must never reach. */
  function withOutsideData(): { dir: string; data: string } {
    const dir = writePlugin(VALID);
    const data = join(root, 'data');
    mkdirSync(data);
    writeFileSync(join(data, 'kernel.secret'), 'top secret');
    return { dir, data };
  }

  const refusedLink = (): string[] => {
    const error = failure();
    expect(error.id).toBe('plugin.manifest.unsafe_symlink');
    expect(error.message).toContain('symbolic link to outside the plugin folder');
    return error.props;
  };

  it('refuses a link to a folder outside', () => {
    const { dir, data } = withOutsideData();
    symlinkSync(data, join(dir, 'link'));
    expect(refusedLink()).toEqual(['local', 'link']);
  });

  it('refuses a relative link to a folder outside', () => {
    const { dir } = withOutsideData();
    symlinkSync('../../data', join(dir, 'link'));
    expect(refusedLink()).toEqual(['local', 'link']);
  });

  it('refuses a link to a file outside', () => {
    const { dir, data } = withOutsideData();
    symlinkSync(join(data, 'kernel.secret'), join(dir, 'secret.txt'));
    expect(refusedLink()).toEqual(['local', 'secret.txt']);
  });

  it('refuses a link nested in a subfolder, node_modules included', () => {
    const { dir, data } = withOutsideData();
    mkdirSync(join(dir, 'node_modules/dep/lib'), { recursive: true });
    symlinkSync(data, join(dir, 'node_modules/dep/lib/link'));
    expect(refusedLink()).toEqual(['local', join('node_modules', 'dep', 'lib', 'link')]);
  });

  it('refuses a dangling link', () => {
    const { dir } = withOutsideData();
    symlinkSync(join(root, 'nothing-here'), join(dir, 'dangling'));
    expect(refusedLink()).toEqual(['local', 'dangling']);
  });

  it('refuses a link into a sibling whose name starts like the plugin folder', () => {
    const { dir } = withOutsideData();
    mkdirSync(join(pluginsDir, 'local-evil'));
    symlinkSync(join(pluginsDir, 'local-evil'), join(dir, 'link'));
    expect(refusedLink()).toEqual(['local', 'link']);
  });

  it('refuses manifest.json itself linking outside', () => {
    const { dir } = withOutsideData();
    writeFileSync(join(root, 'manifest.json'), JSON.stringify(VALID));
    rmSync(join(dir, 'manifest.json'));
    symlinkSync(join(root, 'manifest.json'), join(dir, 'manifest.json'));
    expect(refusedLink()).toEqual(['local', 'manifest.json']);
  });

  it('accepts links that stay inside the folder', () => {
    const { dir } = withOutsideData();
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync('../../dist/index.js', join(dir, 'node_modules/.bin/tool'));
    symlinkSync('dist', join(dir, 'lib'));
    symlinkSync('.', join(dir, 'self'));
    expect(loadManifest(pluginsDir, 'local', KERNEL)).toMatchObject({ dir, entry: join(dir, 'dist/index.js') });
  });

  it('refuses a folder with more entries than it will check', () => {
    const dir = writePlugin(VALID); // manifest.json, dist, dist/index.js
    const error = thrown(() => refuseEscapingLinks(dir, 'local', 2));
    expect(error.id).toBe('plugin.manifest.cannot_load');
    expect(error.props[1]).toBe('the plugin folder holds more than 2 entries, too many to check for symbolic links');
    expect(() => refuseEscapingLinks(dir, 'local', 3)).not.toThrow();
  });
});
