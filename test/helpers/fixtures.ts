/**
 * Fixture plugins live in test/fixtures/plugins/. Tests copy them into a
 * fresh temp plugins folder, optionally under another name, so one fixture
 * can play several plugins and no test writes into the repository.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));
/** The repository's own plugins (plugins/local ...). */
export const BUNDLED_PLUGINS_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));
/**
 * Plugins folders made inside the repository (git-ignored): a bundled plugin
 * copied there still resolves its dependencies from the repository's
 * node_modules, which a copy under /tmp would not.
 */
const REPO_TEMP_DIR = fileURLToPath(new URL('../../.test-plugins/', import.meta.url));

/** Folders made by tempDir in this test file, removed by removeTempDirs. */
const created: string[] = [];

/** A new empty temp folder, removed once the test file is done (test/setup-cleanup.ts). */
export function tempDir(prefix = 'portcullis-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A new plugins folder inside the repository, holding copies of the bundled plugins `bundled`. */
export function pluginsDirWith(bundled: readonly string[]): string {
  mkdirSync(REPO_TEMP_DIR, { recursive: true });
  const dir = mkdtempSync(join(REPO_TEMP_DIR, 'plugins-'));
  created.push(dir);
  for (const name of bundled) {
    // The built plugin only: its sources and tests are not needed to run it.
    for (const part of ['manifest.json', 'package.json', 'dist']) {
      cpSync(join(BUNDLED_PLUGINS_DIR, name, part), join(dir, name, part), { recursive: true });
    }
  }
  return dir;
}

/**
 * Removes every folder tempDir made. Run after a whole test file, not after
 * each test: tests may stop a kernel and start another on the same data dir.
 */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Copies fixture `fixture` into `pluginsDir` as plugin `name`; returns its folder. */
export function installFixture(pluginsDir: string, fixture: string, name = fixture): string {
  const dir = join(pluginsDir, name);
  cpSync(join(FIXTURES_DIR, fixture), dir, { recursive: true });
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, name }));
  return dir;
}
