/**
 * Users as the kernel stores them: a kuid and a JSON content holding at
 * least `profileIds`. This is the part plugins reach through the limited
 * users service; the security API builds on it.
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, UserRecord } from '@portcullis/sdk-plugin/protocol';
import { MAX_JSON_DEPTH, nestingDepth } from '../storage/json-limits.js';
import type { KernelDb } from '../storage/kernel-db.js';
import type { UserSearchQuery } from './user-query.js';
import { ScrollCursors } from './user-scroll.js';

/** A user's content is a profile, not a store: 64 KiB is generous. */
export const MAX_USER_CONTENT_BYTES = 64 * 1024;

/** 10,000 parsed users: a few MB for typical profiles (at most 64 KiB each, so 640 MB in the worst case). */
const USER_CACHE_SIZE = 10_000;

/** kuids are URL path segments: printable, no slash, bounded. */
const KUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

export interface UserSearchResult {
  hits: UserRecord[];
  total: number;
  /** Present when the search opened a scroll cursor. */
  scrollId?: string;
}

type UserRow = { id: string; content: string };

export class UserStore {
  readonly #get: Statement<[string], { content: string }>;
  readonly #insert: Statement<[string, string, number]>;
  readonly #anyAdmin: Statement<[], string>;
  /** An admin outside the kuids given (a JSON array). */
  readonly #otherAdmin: Statement<[string], string>;
  readonly #write: Statement<[string, number, string]>;
  readonly #delete: Statement<[string]>;
  readonly #mGet: Statement<[string], UserRow>;
  readonly #db: KernelDb;
  readonly #cursors = new ScrollCursors();
  /**
   * Users read recently, parsed and frozen: every authenticated request reads
   * its caller, and a SQLite read plus JSON.parse was a fifth of the kernel's
   * CPU under load (bench/requests). Every write goes through this store, so
   * it updates or drops the entry; only another process writing the file
   * would go unseen (one kernel process per DATA_DIR).
   */
  readonly #cache = new Map<string, UserRecord>();
  /** Users a deletion in progress will remove (kuid -> deletions): they no longer count as admins. */
  readonly #leaving = new Map<string, number>();
  /** Once an admin is seen it is remembered until a user is changed or deleted. */
  #adminSeen = false;

  constructor(db: KernelDb) {
    this.#db = db;
    this.#mGet = db.prepare('SELECT id, content FROM users WHERE id IN (SELECT value FROM json_each(?))');
    this.#get = db.prepare('SELECT content FROM users WHERE id = ?');
    this.#insert = db.prepare('INSERT INTO users (id, content, created_at) VALUES (?, ?, ?)');
    this.#delete = db.prepare('DELETE FROM users WHERE id = ?');
    this.#write = db.prepare('UPDATE users SET content = ?, updated_at = ? WHERE id = ?');
    // user_profiles (kept by triggers on users, see kernel-db.ts): index seeks, whatever the number of users.
    this.#anyAdmin = db.prepare<[], string>("SELECT kuid FROM user_profiles WHERE profile = 'admin' LIMIT 1").pluck();
    this.#otherAdmin = db.prepare<[string], string>("SELECT kuid FROM user_profiles WHERE profile = 'admin' AND kuid NOT IN (SELECT value FROM json_each(?)) LIMIT 1").pluck();
  }

  /** Whether any user has the admin profile (until then, security:createFirstAdmin is open). */
  adminExists(): boolean {
    if (!this.#adminSeen) this.#adminSeen = this.#anyAdmin.get() !== undefined;
    return this.#adminSeen;
  }

  /**
   * Refuses a change that would leave no admin (412 `security.user.last_admin`):
   * with none left, createFirstAdmin would be open to anyone on a live server.
   */
  assertAdminRemains(removed: readonly string[]): void {
    const gone = JSON.stringify([...removed, ...this.#leaving.keys()]);
    if (this.#otherAdmin.get(gone) !== undefined) return;
    // None would remain; with none at all (before createFirstAdmin), there is none to lose.
    const admin = this.#anyAdmin.get();
    if (admin !== undefined) throw new PluginError('security.user.last_admin', admin);
  }

  /**
   * Checks {@link assertAdminRemains} and marks `kuids` as leaving until the
   * returned function is called: a deletion awaits plugins between its check
   * and its end, and two concurrent ones must not each leave the other's
   * admin as the last.
   */
  reserveDeletion(kuids: readonly string[]): () => void {
    this.assertAdminRemains(kuids);
    for (const kuid of kuids) this.#leaving.set(kuid, (this.#leaving.get(kuid) ?? 0) + 1);
    return () => {
      for (const kuid of kuids) {
        const count = (this.#leaving.get(kuid) ?? 1) - 1;
        if (count === 0) this.#leaving.delete(kuid);
        else this.#leaving.set(kuid, count);
      }
    };
  }

  /** The user, or null. The record is shared and frozen: copy it to change it. */
  get(kuid: string): UserRecord | null {
    const cached = this.#cache.get(kuid);
    if (cached !== undefined) return cached;
    const row = this.#get.get(kuid);
    return row === undefined ? null : this.#remember({ _id: kuid, _source: JSON.parse(row.content) as UserRecord['_source'] });
  }

  exists(kuid: string): boolean {
    return this.#cache.has(kuid) || this.#get.get(kuid) !== undefined;
  }

  /** Creates a user; an existing kuid is `security.user.already_exists`. */
  create(kuid: string | null, content: JsonObject, profileIds: string[]): UserRecord {
    const id = kuid ?? `kuid-${randomUUID()}`;
    assertKuid(id);
    const source = { ...content, profileIds };
    try {
      this.#insert.run(id, serialize(source), Date.now());
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

  /**
   * Replaces a user's content (`profileIds` kept apart, as in create).
   * @throws `security.user.not_found`
   */
  replace(kuid: string, content: JsonObject, profileIds: string[]): UserRecord {
    if (!this.exists(kuid)) throw new PluginError('security.user.not_found', kuid);
    return this.#save(kuid, { ...content, profileIds });
  }

  /** The users of `kuids` that exist, in the order asked, each once. */
  mGet(kuids: readonly string[]): UserRecord[] {
    const found = new Map(this.#mGet.all(JSON.stringify(kuids)).map((row) => [row.id, toRecord(row)]));
    return [...new Set(kuids)].flatMap((kuid) => found.get(kuid) ?? []);
  }

  /** Up to `limit` kuids after `after`, in kuid order: every user, page by page. */
  idsAfter(after: string, limit: number): string[] {
    return this.#db.prepare<[string, number], string>('SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?').pluck().all(after, limit);
  }

  /**
   * One page of the users matching `query.filter` (made by compileUserSearch,
   * see user-sort.ts), in its order, and how many match in all; with `scrollMs`, a cursor for the next pages (see user-scroll.ts).
   */
  search(query: UserSearchQuery, page: { from: number; size: number; scrollMs?: number }): UserSearchResult {
    const total = (this.#db.prepare(`SELECT COUNT(*) AS n FROM users WHERE ${query.filter.sql}`).get(...query.filter.params) as { n: number }).n;
    const hits = this.#page(query, page.from, page.size);
    if (page.scrollMs === undefined) return { hits, total };
    const scrollId = this.#cursors.open({ query, offset: page.from + page.size, size: page.size, total, ttlMs: page.scrollMs });
    return { hits, total, scrollId };
  }

  /**
   * The next page of a scroll cursor; `ttlMs` renews its lifetime.
   * @throws 404 `services.storage.unknown_scroll_id`
   */
  scroll(scrollId: string, ttlMs?: number): Required<UserSearchResult> {
    const cursor = this.#cursors.take(scrollId, ttlMs);
    const hits = this.#page(cursor.query, cursor.offset, cursor.size);
    cursor.offset += cursor.size;
    return { hits, total: cursor.total, scrollId };
  }

  /**
   * Deletes a user; false if there was none. (Credentials and tokens are the
   * caller's to remove, after checking {@link assertAdminRemains}.)
   */
  delete(kuid: string): boolean {
    const deleted = this.#delete.run(kuid).changes === 1;
    this.#cache.delete(kuid);
    if (deleted) this.#adminSeen = false;
    return deleted;
  }

  #page({ filter, after, order }: UserSearchQuery, from: number, size: number): UserRecord[] {
    // Only the condition and order are built; they hold no value, every value is bound.
    const sql = `SELECT id, content FROM users WHERE (${filter.sql}) AND (${after.sql}) ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
    const rows = this.#db.prepare(sql).all(...filter.params, ...after.params, ...order.params, size, from) as UserRow[];
    return rows.map(toRecord);
  }

  #remember(user: UserRecord): UserRecord {
    if (this.#cache.size >= USER_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(user._id, deepFreeze(user));
    return user;
  }

  #save(kuid: string, source: UserRecord['_source']): UserRecord {
    if (!source.profileIds.includes('admin')) this.assertAdminRemains([kuid]);
    this.#write.run(serialize(source), Date.now(), kuid);
    this.#cache.delete(kuid);
    // The admin profile may have been taken away: look again next time.
    this.#adminSeen = false;
    return { _id: kuid, _source: source };
  }
}

/** A user's content as stored: bounded in size and depth (see json-limits.ts). */
function serialize(source: UserRecord['_source']): string {
  const json = JSON.stringify(source);
  if (Buffer.byteLength(json) > MAX_USER_CONTENT_BYTES) {
    throw new PluginError('api.assert.invalid_argument', 'content', `at most ${MAX_USER_CONTENT_BYTES} bytes of JSON`);
  }
  if (nestingDepth(json) > MAX_JSON_DEPTH) {
    throw new PluginError('api.assert.invalid_argument', 'content', `JSON nested at most ${MAX_JSON_DEPTH} levels deep`);
  }
  return json;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** 400 `api.assert.invalid_argument` unless `kuid` can be a user id. */
export function assertKuid(kuid: string): void {
  if (!KUID_PATTERN.test(kuid)) throw new PluginError('api.assert.invalid_argument', '_id', 'a kuid of 1 to 128 letters, digits, "_", ".", "@" or "-"');
}

function toRecord(row: UserRow): UserRecord {
  return { _id: row.id, _source: JSON.parse(row.content) as UserRecord['_source'] };
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
