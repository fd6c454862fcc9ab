/**
 * Bulk users for bench/scale: with the kernel stopped, writes `count` users
 * straight into a data dir, each a clone of ONE user that was created
 * through the real API (so its bcrypt hash and the plugin's pepper are
 * real, and every seeded user logs in with that user's password):
 * - kernel.sqlite: the user (users table, through UserStore) and its
 *   credential ledger row, `held` in the `local` strategy (CredentialLedger);
 * - plugins/local.sqlite: the local plugin's `credentials` document (id:
 *   the kuid), the template's with the username changed.
 * The kernel's own storage modules open both files (migrations, declared
 * collections), so the schema cannot drift; rows go in by batches, one
 * transaction each, through prepared statements. Creating a million users
 * through the API would take days of bcrypt; this takes about a minute.
 *
 * The data dir must have booted once with the local plugin (its ledger
 * backfill done), so the next boot does no per-user work.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CredentialLedger } from '../kernel/security/credential-ledger.js';
import { UserStore } from '../kernel/security/user-store.js';
import { openKernelDb } from '../kernel/storage/kernel-db.js';
import { PluginStore } from '../kernel/storage/plugin-store.js';
import { quoteIdentifier, tableName } from '../kernel/storage/store-query.js';
import { serializeDocument } from '../kernel/storage/store-validation.js';

const PLUGIN = 'local';
const STRATEGY = 'local';
const COLLECTION = 'credentials';
const BATCH = 50_000;

/** The kuid of seeded user `index` (0-based): fixed width, so kuids sort like their numbers. */
export const seededKuid = (index: number): string => `seed-${String(index).padStart(7, '0')}`;
/** The username of seeded user `index`. */
export const seededUsername = (index: number): string => `seed-user-${String(index).padStart(7, '0')}`;

/**
 * Adds users 0..count-1 to the stopped kernel's `dataDir`, cloned from
 * `templateKuid` (a user with local credentials); answers how long it took.
 */
export function seedUsers(dataDir: string, count: number, templateKuid: string): { ms: number } {
  const started = performance.now();
  const db = openKernelDb(join(dataDir, 'kernel.sqlite'));
  try {
    const users = new UserStore(db);
    const ledger = new CredentialLedger(db);
    const template = users.get(templateKuid);
    if (template === null) throw new Error(`no template user ${templateKuid}`);
    if (ledger.stateOf(STRATEGY, templateKuid) !== 'held') throw new Error(`${templateKuid} holds no ${STRATEGY} credentials`);
    // Else the next boot would ask the plugin about every user (ledger-boot.ts's backfill).
    if (ledger.backfilledBy(STRATEGY) !== PLUGIN) throw new Error(`boot the data dir once with the ${PLUGIN} plugin before seeding`);
    const { profileIds, ...content } = template._source;
    const credentials = templateCredentials(dataDir, templateKuid);

    const namespace = new Database(join(dataDir, 'plugins', `${PLUGIN}.sqlite`));
    try {
      namespace.pragma('journal_mode = WAL');
      namespace.pragma('synchronous = NORMAL');
      const insert = namespace.prepare(`INSERT INTO ${quoteIdentifier(tableName(COLLECTION))} (id, body) VALUES (?, ?)`);
      for (let from = 0; from < count; from += BATCH) {
        const indexes = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => from + i);
        const kuids = indexes.map(seededKuid);
        db.transaction(() => {
          for (const kuid of kuids) users.create(kuid, content, profileIds);
          ledger.addHolders(STRATEGY, kuids);
        })();
        namespace.transaction(() => {
          for (const index of indexes) insert.run(seededKuid(index), serializeDocument(COLLECTION, { ...credentials, username: seededUsername(index) }));
        })();
      }
    } finally {
      namespace.close();
    }
  } finally {
    db.close();
  }
  return { ms: performance.now() - started };
}

/** The template's credentials document, read through the kernel's plugin store (which checks the declared collections). */
function templateCredentials(dataDir: string, kuid: string): Record<string, unknown> {
  const store = PluginStore.open(join(dataDir, 'plugins', `${PLUGIN}.sqlite`));
  try {
    const document = store.get(COLLECTION, kuid);
    if (document === null) throw new Error(`no ${COLLECTION} document for ${kuid} in the ${PLUGIN} namespace`);
    return document._source;
  } finally {
    store.close();
  }
}
