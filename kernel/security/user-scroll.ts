/**
 * Scroll cursors of security:searchUsers, kept in memory: a cursor is the
 * compiled query and where the next page starts, and lives for the `scroll`
 * duration the client gave, renewed by each scrollUsers. Pages are read
 * again from the table (in the search's order, kuid last), so a cursor is not a snapshot: a
 * user deleted meanwhile is simply not returned; `total` is the count at the
 * initial search, as Elasticsearch reports it.
 *
 * Memory is bounded twice: at most {@link MAX_CURSORS} cursors, and at most
 * {@link MAX_CURSOR_CHARS} characters of SQL and bound values among them
 * (one query holds about 1.1 million at most, see user-query.ts), so a client
 * opening cursors on large queries pushes out the least recently used ones
 * instead of growing the heap.
 */
import { randomUUID } from 'node:crypto';
import ms, { type StringValue } from 'ms';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserSearchQuery } from './user-query.js';

/** Kuzzle's default `services.storageEngine.maxScrollDuration`. */
export const MAX_SCROLL_MS = 60_000;
/** Open cursors at most; past that the oldest is dropped (its next scroll is a 404). */
const MAX_CURSORS = 1000;
/** About 32 MB of Latin-1 text: room for 1000 ordinary cursors, or about 30 of the largest queries. */
const MAX_CURSOR_CHARS = 32_000_000;

export interface ScrollCursor {
  query: UserSearchQuery;
  /** Offset of the next page. */
  offset: number;
  size: number;
  total: number;
  ttlMs: number;
  expiresAt: number;
}

export class ScrollCursors {
  readonly #cursors = new Map<string, ScrollCursor>();
  /** Characters each cursor holds, and their sum. */
  readonly #weights = new Map<string, number>();
  #chars = 0;

  /** Opens a cursor; answers its id (random, so not guessable). */
  open(cursor: Omit<ScrollCursor, 'expiresAt'>): string {
    this.#sweep();
    const weight = weightOf(cursor.query);
    // The least recently used go first (the map is in order of last use).
    while (this.#cursors.size > 0 && (this.#cursors.size >= MAX_CURSORS || this.#chars + weight > MAX_CURSOR_CHARS)) {
      this.#drop(this.#cursors.keys().next().value!);
    }
    const id = randomUUID();
    this.#cursors.set(id, { ...cursor, expiresAt: Date.now() + cursor.ttlMs });
    this.#weights.set(id, weight);
    this.#chars += weight;
    return id;
  }

  /**
   * The cursor `id`, its lifetime renewed (by `ttlMs` if given, else by its own).
   * @throws 404 `services.storage.unknown_scroll_id` when unknown or expired.
   */
  take(id: string, ttlMs?: number): ScrollCursor {
    const cursor = this.#cursors.get(id);
    if (cursor === undefined || cursor.expiresAt <= Date.now()) {
      this.#drop(id);
      throw new PluginError('services.storage.unknown_scroll_id');
    }
    this.#cursors.delete(id);
    cursor.ttlMs = ttlMs ?? cursor.ttlMs;
    cursor.expiresAt = Date.now() + cursor.ttlMs;
    // Re-inserted: the map stays in order of last use, oldest first.
    this.#cursors.set(id, cursor);
    return cursor;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, cursor] of this.#cursors) if (cursor.expiresAt <= now) this.#drop(id);
  }

  #drop(id: string): void {
    this.#chars -= this.#weights.get(id) ?? 0;
    this.#weights.delete(id);
    this.#cursors.delete(id);
  }
}

/** Characters a cursor keeps alive: its SQL and its bound values (a number counts 8). */
function weightOf(query: UserSearchQuery): number {
  let chars = 0;
  for (const part of [query.filter, query.order, query.after]) {
    chars += part.sql.length;
    for (const param of part.params) chars += typeof param === 'string' ? param.length : 8;
  }
  return chars;
}

/**
 * A `scroll` argument ("30s", "1m", or milliseconds) in ms; undefined when absent.
 * @throws 400 `api.assert.invalid_argument`, or `services.storage.scroll_duration_too_great` past {@link MAX_SCROLL_MS}.
 */
export function parseScrollTtl(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed: number | undefined;
  if (typeof value === 'number') parsed = value;
  else if (typeof value === 'string' && value.length <= 32) parsed = /^\d+$/.test(value) ? Number(value) : (ms(value as StringValue) as number | undefined);
  if (parsed === undefined || !Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new PluginError('api.assert.invalid_argument', 'scroll', 'a duration such as "30s" or "1m"');
  }
  if (parsed > MAX_SCROLL_MS) throw new PluginError('services.storage.scroll_duration_too_great', String(value));
  return parsed;
}
