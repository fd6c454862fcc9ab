/**
 * The kernel's own SQLite database (`DATA_DIR/kernel.sqlite`): users,
 * plugin peppers, tokens, API keys, roles and profiles, and the audit log.
 * Schema changes are numbered migrations, applied once each, in order, in
 * one transaction.
 */
import Database from 'better-sqlite3';

export type KernelDb = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     content TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER
   )`,
  // One secret per plugin, keying the HMAC that passwords go through before
  // bcrypt. Kept here, never in the plugin's own namespace.
  `CREATE TABLE plugin_peppers (
     plugin TEXT PRIMARY KEY,
     pepper BLOB NOT NULL,
     created_at INTEGER NOT NULL
   )`,
  // Every token the kernel issued and has not revoked, by its JWT id. A
  // token whose row is gone is revoked, whatever its signature says.
  `CREATE TABLE tokens (
     jti TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     refreshed INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX tokens_by_user ON tokens (user_id);
   CREATE INDEX tokens_by_expiry ON tokens (expires_at)`,
  // Roles and profiles as an admin stored them. The standard ones (admin,
  // default, anonymous) are built in; a row here replaces the built-in one.
  `CREATE TABLE roles (
     id TEXT PRIMARY KEY,
     content TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE profiles (
     id TEXT PRIMARY KEY,
     content TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   )`,
  // API keys: never the key itself, only its SHA-256 fingerprint, which is
  // how a presented key finds its row. Ids are the owner's (two users may
  // both name a key "ci"), so the primary key, owner first, is also the
  // index by user. `expires_at` NULL: never expires (`ttl` -1).
  // Single-use tokens (auth:createToken): their row is deleted by their one use.
  `CREATE TABLE api_keys (
     user_id TEXT NOT NULL,
     id TEXT NOT NULL,
     fingerprint TEXT NOT NULL UNIQUE,
     description TEXT NOT NULL,
     ttl INTEGER NOT NULL,
     expires_at INTEGER,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, id)
   );
   ALTER TABLE tokens ADD COLUMN single_use INTEGER NOT NULL DEFAULT 0`,
  // Security events (audit/audit-log.ts), newest first by id. One index per
  // filter an admin searches on; outcome's holds (outcome, id) for the cap on failures.
  `CREATE TABLE audit_events (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     type TEXT NOT NULL,
     outcome TEXT NOT NULL,
     kuid TEXT,
     identifier TEXT,
     ip TEXT,
     strategy TEXT,
     controller TEXT,
     action TEXT,
     target TEXT,
     reason TEXT
   );
   CREATE INDEX audit_by_at ON audit_events (at);
   CREATE INDEX audit_by_type ON audit_events (type);
   CREATE INDEX audit_by_outcome ON audit_events (outcome);
   CREATE INDEX audit_by_kuid ON audit_events (kuid);
   CREATE INDEX audit_by_identifier ON audit_events (identifier);
   CREATE INDEX audit_by_ip ON audit_events (ip);
   CREATE INDEX audit_by_target ON audit_events (target)`,
  // The credential ledger (security/credential-ledger.ts): who has
  // credentials in which strategy, as the kernel's own calls of `create` and
  // `delete` made them; a login is refused for a user without a `held` row.
  // `creating`/`deleting`: a call in flight, or cut short by a crash and
  // settled at boot. The ledger state says which strategies were backfilled
  // (an install from before the ledger) and by which plugin. Users being
  // created (security/creation-journal.ts) are kept in pending_creations
  // until all their credentials exist. A user's deletion takes its rows in
  // both along, whatever path deletes it.
  `CREATE TABLE credential_holders (
     strategy TEXT NOT NULL,
     kuid TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('held', 'creating', 'deleting')),
     PRIMARY KEY (strategy, kuid)
   );
   CREATE INDEX credential_holders_by_kuid ON credential_holders (kuid);
   CREATE INDEX credential_holders_unsettled ON credential_holders (state) WHERE state <> 'held';
   CREATE TABLE credential_ledger_state (
     strategy TEXT PRIMARY KEY,
     plugin TEXT NOT NULL,
     completed_at INTEGER NOT NULL
   );
   CREATE TABLE pending_creations (
     kuid TEXT PRIMARY KEY,
     started_at INTEGER NOT NULL
   );
   CREATE TRIGGER users_deleted_leave_ledger AFTER DELETE ON users BEGIN
     DELETE FROM credential_holders WHERE kuid = OLD.id;
     DELETE FROM pending_creations WHERE kuid = OLD.id;
   END`,
  // Who holds which profile, derived from users.content.profileIds by the
  // triggers below, so whatever writes a user keeps it true in the same
  // transaction. "Is there an admin left?" (on every deletion and every save
  // of a non-admin) and "is this profile in use?" are then index seeks: the
  // json_each scan over every user they replace took ~320 ms on 1M users
  // (bench/scale). Only string entries are profile ids. Content that is not
  // JSON (never the kernel's; a hand-edited row) holds no profile, rather
  // than failing the migration or the write.
  `CREATE TABLE user_profiles (
     profile TEXT NOT NULL,
     kuid TEXT NOT NULL,
     PRIMARY KEY (profile, kuid)
   ) WITHOUT ROWID;
   CREATE INDEX user_profiles_by_kuid ON user_profiles (kuid);
   INSERT OR IGNORE INTO user_profiles (profile, kuid)
     SELECT p.value, users.id FROM users, json_each(iif(json_valid(users.content), users.content, '{}'), '$.profileIds') p WHERE p.type = 'text';
   CREATE TRIGGER users_inserted_profiles AFTER INSERT ON users BEGIN
     INSERT OR IGNORE INTO user_profiles (profile, kuid)
       SELECT value, NEW.id FROM json_each(iif(json_valid(NEW.content), NEW.content, '{}'), '$.profileIds') WHERE type = 'text';
   END;
   CREATE TRIGGER users_updated_profiles AFTER UPDATE OF id, content ON users BEGIN
     DELETE FROM user_profiles WHERE kuid = OLD.id;
     INSERT OR IGNORE INTO user_profiles (profile, kuid)
       SELECT value, NEW.id FROM json_each(iif(json_valid(NEW.content), NEW.content, '{}'), '$.profileIds') WHERE type = 'text';
   END;
   CREATE TRIGGER users_deleted_profiles AFTER DELETE ON users BEGIN
     DELETE FROM user_profiles WHERE kuid = OLD.id;
   END`,
];

export function openKernelDb(file: string): KernelDb {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only a power
  // loss can lose the last transactions, and it cannot corrupt the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: KernelDb): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  db.transaction(() => {
    MIGRATIONS.forEach((sql, index) => {
      const version = index + 1;
      if (applied.has(version)) return;
      db.exec(sql);
      record.run(version, Date.now());
    });
  })();
}
