/**
 * Fixture plugins live in test/fixtures/plugins/. Tests copy them into a
 * fresh temp plugins folder, optionally under another name, so one fixture
 * can play several plugins and no test writes into the repository.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));

/** A new empty temp folder. */
export function tempDir(prefix = 'portcullis-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
