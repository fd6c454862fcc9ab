// Node 20's permission model follows symbolic links: a link inside a plugin
// folder to a folder the plugin may not read would open that folder to it.
// The kernel refuses such a plugin before any of its code runs.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFixture, tempDir } from '../helpers/fixtures.js';
import { startTestKernel, type TestKernel } from '../helpers/test-kernel.js';

describe('a plugin folder holding a link to outside it', () => {
  let k: TestKernel;

  beforeAll(async () => {
    const data = tempDir('portcullis-outside-');
    writeFileSync(join(data, 'kernel.secret'), 'not for plugins');
    const pluginsDir = tempDir('portcullis-plugins-');
    const dir = installFixture(pluginsDir, 'minimal', 'escaper');
    symlinkSync(data, join(dir, 'link'));
    // `fixture: ''`: escaper is installed above, link included. Its own
    // strategy name, so that without the check it would simply boot.
    const escaper = { fixture: '', config: { strategy: 'escaper' } };
    k = await startTestKernel({ escaper, minimal: { fixture: 'minimal' } }, { pluginsDir });
  });
  afterAll(() => k.stop());

  it('marks the plugin failed with plugin.manifest.unsafe_symlink', () => {
    expect(k.kernel.plugins.health().escaper).toMatchObject({ status: 'failed', error: 'plugin.manifest.unsafe_symlink' });
    expect(k.kernel.plugins.bootFailure('escaper')?.message).toBe(
      '[escaper] "link" is a symbolic link to outside the plugin folder; the permission model would follow it.',
    );
  });

  it('keeps serving, with the other plugins ready', async () => {
    const { status, body } = await k.request('/_healthCheck');
    expect(status).toBe(200);
    const result = body.result as { status: string; plugins: Record<string, { status: string }> };
    expect(result.plugins.escaper!.status).toBe('failed');
    expect(result.plugins.minimal!.status).toBe('ready');
  });
});
