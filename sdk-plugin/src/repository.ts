/**
 * A plugin's private storage: collections of JSON documents by id, with
 * declared indexes. The kernel owns the SQLite file; the namespace is bound
 * to the isolate's channel, so a plugin has no way to name another one.
 */
import type { HostChannel } from './host-channel.js';
import type { IndexSpec, JsonObject, SearchQuery, SearchResult, StoredDocument } from './protocol.js';

/**
 * One collection of the plugin's namespace.
 *
 * @example
 * ```ts
 * const logins = await context.storage.collection('logins', { indexes: [{ field: 'kuid' }] });
 * await logins.create({ kuid: 'kuid-1', login: 'ada' }, 'ada');
 * const { hits } = await logins.search({ where: { kuid: 'kuid-1' } });
 * ```
 */
export class Repository {
  readonly collection: string;
  readonly #host: HostChannel;

  constructor(host: HostChannel, collection: string) {
    this.#host = host;
    this.collection = collection;
  }

  /** Creates a document; a null/absent id is generated. Duplicate id: `services.storage.document_already_exists`. */
  create(body: JsonObject, id: string | null = null): Promise<StoredDocument> {
    return this.#host.call('storage.create', { collection: this.collection, id, body });
  }

  /** The document, or null. @example `await repo.get('ada')` */
  get(id: string): Promise<StoredDocument | null> {
    return this.#host.call('storage.get', { collection: this.collection, id });
  }

  /** The documents found, in the order asked; missing ids are skipped. */
  mGet(ids: string[]): Promise<StoredDocument[]> {
    return this.#host.call('storage.mGet', { collection: this.collection, ids });
  }

  /** Deep-merges `changes` into the document (arrays replaced). Missing: `services.storage.not_found`. */
  update(id: string, changes: JsonObject): Promise<StoredDocument> {
    return this.#host.call('storage.update', { collection: this.collection, id, changes });
  }

  /**
   * Compare-and-set: applies `changes` only if the document's `expected` fields still hold those
   * values; null otherwise. @example `await repo.updateIf(id, { hash: old }, { hash: rehashed })`
   */
  updateIf(id: string, expected: JsonObject, changes: JsonObject): Promise<StoredDocument | null> {
    return this.#host.call('storage.updateIf', { collection: this.collection, id, expected, changes });
  }

  /**
   * Adds `by` to a numeric field atomically (creating the document from `initial`); the new value.
   * @example `const attempts = await failures.increment(key, 'count', 1, { windowStart: Date.now() })`
   */
  increment(id: string, field: string, by = 1, initial: JsonObject = {}): Promise<number> {
    return this.#host.call('storage.increment', { collection: this.collection, id, field, by, initial });
  }

  /** Replaces an existing document. Missing: `services.storage.not_found`. */
  replace(id: string, body: JsonObject): Promise<StoredDocument> {
    return this.#host.call('storage.replace', { collection: this.collection, id, body });
  }

  /** Creates or replaces the document with this id. */
  createOrReplace(id: string, body: JsonObject): Promise<StoredDocument> {
    return this.#host.call('storage.createOrReplace', { collection: this.collection, id, body });
  }

  /** Deletes the document; true if it existed. */
  delete(id: string): Promise<boolean> {
    return this.#host.call('storage.delete', { collection: this.collection, id });
  }

  /**
   * Equality, `in` and range conditions on `_id` or indexed fields, sorted, paged.
   * @example `await repo.search({ where: { kuid: 'kuid-1' }, sort: [{ field: 'createdAt', order: 'desc' }], size: 20 })`
   */
  search(query: SearchQuery = {}): Promise<SearchResult> {
    return this.#host.call('storage.search', { collection: this.collection, query });
  }

  /** How many documents match `where` (all of them if absent). */
  count(where?: SearchQuery['where']): Promise<number> {
    return this.#host.call('storage.count', { collection: this.collection, where });
  }
}

/**
 * The plugin's namespace: declare a collection (idempotent) to get its Repository.
 *
 * @example
 * ```ts
 * const users = await context.storage.collection('users', { indexes: [{ field: 'username', unique: true }] });
 * ```
 */
export class PluginStorage {
  readonly #host: HostChannel;

  constructor(host: HostChannel) {
    this.#host = host;
  }

  async collection(name: string, options: { indexes?: IndexSpec[] } = {}): Promise<Repository> {
    await this.#host.call('storage.declareCollection', { name, indexes: options.indexes ?? [] });
    return new Repository(this.#host, name);
  }
}
