/**
 * Users as the kernel stores them: a kuid and a JSON content holding at
 * least `profileIds`. This is the part plugins reach through the limited
 * users service; the security API builds on it.
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, UserRecord } from '@portcullis/sdk-plugin/protocol';
import type { KernelDb } from '../storage/kernel-db.js';

/** kuids are URL path segments: printable, no slash, bounded. */
const KUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

export class UserStore {
  readonly #get: Statement<[string], { content: string }>;
  readonly #insert: Statement<[string, string, number]>;
  readonly #anyAdmin: Statement<[], unknown>;
  readonly #write: Statement<[string, number, string]>;
  readonly #delete: Statement<[string]>;
  /** Once an admin is seen it is remembered until a user is changed or deleted. */
  #adminSeen = false;

  constructor(db: KernelDb) {
    this.#get = db.prepare('SELECT content FROM users WHERE id = ?');
    this.#insert = db.prepare('INSERT INTO users (id, content, created_at) VALUES (?, ?, ?)');
    this.#delete = db.prepare('DELETE FROM users WHERE id = ?');
    this.#write = db.prepare('UPDATE users SET content = ?, updated_at = ? WHERE id = ?');
    this.#anyAdmin = db.prepare("SELECT 1 FROM users, json_each(users.content, '$.profileIds') p WHERE p.value = 'admin' LIMIT 1");
  }

  /** Whether any user has the admin profile (until then, security:createFirstAdmin is open). */
  adminExists(): boolean {
    if (!this.#adminSeen) this.#adminSeen = this.#anyAdmin.get() !== undefined;
    return this.#adminSeen;
  }

  get(kuid: string): UserRecord | null {
    const row = this.#get.get(kuid);
    return row === undefined ? null : { _id: kuid, _source: JSON.parse(row.content) as UserRecord['_source'] };
  }

  exists(kuid: string): boolean {
    return this.#get.get(kuid) !== undefined;
  }

  /** Creates a user; an existing kuid is `security.user.already_exists`. */
  create(kuid: string | null, content: JsonObject, profileIds: string[]): UserRecord {
    const id = kuid ?? `kuid-${randomUUID()}`;
    if (!KUID_PATTERN.test(id)) throw new PluginError('api.assert.invalid_argument', '_id', 'a kuid of 1 to 128 letters, digits, "_", ".", "@" or "-"');
    const source = { ...content, profileIds };
    try {
      this.#insert.run(id, JSON.stringify(source), Date.now());
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new PluginError('security.user.already_exists', id);
      throw error;
    }
    return { _id: id, _source: source };
  }

  /**
   * Merges `changes` into a user's content, as Elasticsearch's partial update
   * does: objects merged key by key, anything else (arrays included) replaced.
   * @throws `security.user.not_found`
   */
  update(kuid: string, changes: JsonObject): UserRecord {
    const user = this.get(kuid);
    if (user === null) throw new PluginError('security.user.not_found', kuid);
    return this.#save(kuid, mergeContent(user._source, changes) as UserRecord['_source']);
  }

  /** Deletes a user; false if there was none. (Credentials and tokens are the caller's to remove.) */
  delete(kuid: string): boolean {
    const deleted = this.#delete.run(kuid).changes === 1;
    if (deleted) this.#adminSeen = false;
    return deleted;
  }

  #save(kuid: string, source: UserRecord['_source']): UserRecord {
    this.#write.run(JSON.stringify(source), Date.now(), kuid);
    // The admin profile may have been taken away: look again next time.
    this.#adminSeen = false;
    return { _id: kuid, _source: source };
  }
}

function mergeContent(target: JsonObject, changes: JsonObject): JsonObject {
  const merged: JsonObject = { ...target };
  for (const [key, value] of Object.entries(changes)) {
    if (key === '__proto__') continue;
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeContent(current, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
