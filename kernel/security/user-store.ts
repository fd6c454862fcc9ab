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

  constructor(db: KernelDb) {
    this.#get = db.prepare('SELECT content FROM users WHERE id = ?');
    this.#insert = db.prepare('INSERT INTO users (id, content, created_at) VALUES (?, ?, ?)');
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
}
