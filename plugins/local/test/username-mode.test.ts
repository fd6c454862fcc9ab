/**
 * `caseSensitiveUsernames` is recorded in the namespace at the first start:
 * a later start with the other value fails at boot naming the option (it
 * used to strand users silently: stored "Ada" never found by a lower-cased
 * lookup), and a start with the same value serves as before.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startPluginHarness } from '@portcullis/sdk-plugin/testing';
import type { JsonObject } from '@portcullis/sdk-plugin';
import { ADA_PASSWORD, PLUGIN_DIR, localPlugin } from './local-plugin.js';

/** Starts the plugin on `dataDir` expecting it to fail its init; answers the failure's id and the kernel's log. */
async function failedStart(config: JsonObject, dataDir: string): Promise<{ error: unknown; log: string }> {
  const p = await startPluginHarness({ dir: PLUGIN_DIR, config: { cost: 4, ...config }, dataDir, allowBootFailure: true });
  try {
    return { error: (p.bootFailure() as { id?: unknown } | undefined)?.id, log: p.logs().join('\n') };
  } finally {
    await p.stop();
  }
}

describe('local strategy: the username comparison a namespace was created with', () => {
  const local = localPlugin();

  const ada = { username: 'Ada', password: ADA_PASSWORD };
  /** `dataDir` (a new one by default) with user "Ada" stored case-sensitive, the plugin stopped. */
  const withCaseSensitiveAda = async (dataDir = local.dataDir()): Promise<string> => {
    const plugin = await local.start({ caseSensitiveUsernames: true }, dataDir);
    await plugin.call('local', 'create', { credentials: ada, kuid: 'kuid-ada', request: { userId: 'kuid-ada' } });
    await local.stop();
    return dataDir;
  };
  /** A start with `config` on `dataDir` fails its init, the log saying `why`. */
  const expectRefused = async (config: JsonObject, dataDir: string, why: string) => {
    const refused = await failedStart(config, dataDir);
    expect(refused.error).toBe('plugin.runtime.failed_init');
    expect(refused.log).toContain(why);
  };
  const STORED_CASE_SENSITIVE = "config.caseSensitiveUsernames is false, but this namespace's usernames were stored case-sensitive";

  it('refuses to start case-sensitive on a namespace of lower-cased usernames, and serves again with the recorded value', async () => {
    const dataDir = local.dataDir();
    await local.startWithAda({}, { dataDir });
    await local.stop();
    await expectRefused({ caseSensitiveUsernames: true }, dataDir, "config.caseSensitiveUsernames is true, but this namespace's usernames were stored lower-cased (caseSensitiveUsernames: false)");
    const again = await local.start({}, dataDir);
    expect(await again.login('local', { ...ada, username: 'ADA' })).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('refuses to start lower-casing on a namespace of case-sensitive usernames, where "Ada" would no longer be found', async () => {
    const dataDir = await withCaseSensitiveAda();
    await expectRefused({}, dataDir, STORED_CASE_SENSITIVE);
    const again = await local.start({ caseSensitiveUsernames: true }, dataDir);
    expect(await again.login('local', ada)).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('knows a namespace from before the record held case-sensitive usernames when one has capitals', async () => {
    const dataDir = await withCaseSensitiveAda();
    // As the namespace was before the mode was recorded.
    const db = new Database(join(dataDir, 'plugins', 'local.sqlite'));
    db.exec('DELETE FROM c_namespace');
    db.close();
    await expectRefused({}, dataDir, STORED_CASE_SENSITIVE);
    const again = await local.start({ caseSensitiveUsernames: true }, dataDir);
    expect(await again.login('local', ada)).toEqual({ kind: 'success', kuid: 'kuid-ada' });
  });

  it('lets the option change while no username is stored: nobody is stranded, and the record follows', async () => {
    const dataDir = local.dataDir();
    await local.start({}, dataDir);
    await local.stop();
    // Recorded lower-casing, no username yet: starting case-sensitive is allowed, and then recorded.
    await withCaseSensitiveAda(dataDir);
    await expectRefused({}, dataDir, STORED_CASE_SENSITIVE);
  });
});
