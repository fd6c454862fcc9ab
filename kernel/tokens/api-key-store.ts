/**
 * API keys: `kapikey-` + a JWT signed HS256 with the kernel secret, payload
 * `{_id, jti, iat, kind: "apiKey"}` plus `exp` unless the key never expires
 * (`kind`: a token's JWT, signed with the same secret, is never taken for a key). A key is shown
 * once, in the answer that creates it; the kernel keeps only its SHA-256
 * fingerprint, by which a presented key finds its row. Keys authenticate
 * like tokens and share the token index (one map lookup once seen), survive
 * logout (`global` included), cannot be refreshed, and go with their user.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { KernelDb } from '../storage/kernel-db.js';
import { compileApiKeyQuery } from './api-key-query.js';
import { invalidToken } from './invalid-token.js';
import type { TokenEntry, TokenIndex } from './token-index.js';

export const API_KEY_PREFIX = 'kapikey-';

/** An API key as searchApiKeys shows it: never the key, never its fingerprint. */
export interface ApiKey {
  _id: string;
  /** `expiresAt` (ms epoch) and `ttl` (ms) are -1 for a key that never expires, as in Kuzzle. */
  _source: { userId: string; description: string; expiresAt: number; ttl: number };
}

/** createApiKey's answer: the only time the key itself is shown. */
export interface CreatedApiKey {
  _id: string;
  _source: ApiKey['_source'] & { token: string };
}

export interface ApiKeySpec {
  /** The key's id, unique among its owner's keys; generated if absent. */
  id?: string;
  description: string;
  /** Lifetime in ms; `null` never expires. */
  ttlMs: number | null;
}

interface ApiKeyRow {
  id: string;
  description: string;
  ttl: number;
  expires_at: number | null;
}

export class ApiKeyStore {
  readonly #key: KeyObject;
  readonly #index: TokenIndex;
  readonly #insert: Statement<[string, string, string, string, number, number | null, number]>;
  readonly #byFingerprint: Statement<[string], { user_id: string; expires_at: number | null }>;
  readonly #fingerprintOf: Statement<[string, string], string>;
  readonly #fingerprintsOf: Statement<[string], string>;
  readonly #ofUser: Statement<[string], ApiKeyRow>;
  readonly #delete: Statement<[string]>;
  readonly #deleteOf: Statement<[string]>;

  /** `index` is the token store's: a deleted key must leave it at once. */
  constructor(db: KernelDb, key: KeyObject, index: TokenIndex) {
    this.#key = key;
    this.#index = index;
    this.#insert = db.prepare('INSERT INTO api_keys (user_id, id, fingerprint, description, ttl, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#byFingerprint = db.prepare('SELECT user_id, expires_at FROM api_keys WHERE fingerprint = ?');
    this.#fingerprintOf = db.prepare<[string, string], string>('SELECT fingerprint FROM api_keys WHERE user_id = ? AND id = ?').pluck();
    this.#fingerprintsOf = db.prepare<[string], string>('SELECT fingerprint FROM api_keys WHERE user_id = ?').pluck();
    this.#ofUser = db.prepare('SELECT id, description, ttl, expires_at FROM api_keys WHERE user_id = ? ORDER BY created_at, rowid');
    this.#delete = db.prepare('DELETE FROM api_keys WHERE fingerprint = ?');
    this.#deleteOf = db.prepare('DELETE FROM api_keys WHERE user_id = ?');
  }

  /**
   * Signs and records a key for `kuid`.
   * @throws 400 `services.storage.document_already_exists` if `kuid` already has a key with this id.
   */
  create(kuid: string, spec: ApiKeySpec): CreatedApiKey {
    const id = spec.id ?? randomUUID();
    const now = Date.now();
    // A jti of its own: two keys made in the same second for the same user still differ.
    const claims: Record<string, unknown> = { _id: kuid, jti: randomUUID(), iat: Math.floor(now / 1000), kind: 'apiKey' };
    let expiresAt: number | null = null;
    if (spec.ttlMs !== null) {
      claims.exp = Math.ceil((now + spec.ttlMs) / 1000);
      expiresAt = (claims.exp as number) * 1000;
    }
    const token = API_KEY_PREFIX + jwt.sign(claims, this.#key, { algorithm: 'HS256' });
    const fingerprint = fingerprintOf(token);
    try {
      this.#insert.run(kuid, id, fingerprint, spec.description, spec.ttlMs ?? -1, expiresAt, now);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new PluginError('services.storage.document_already_exists');
      throw error;
    }
    this.#index.set(token, { kind: 'apiKey', jti: fingerprint, kuid, expiresAt: expiresAt ?? Infinity, refreshed: false });
    const { _source } = apiKeyOf(kuid, { id, description: spec.description, ttl: spec.ttlMs ?? -1, expires_at: expiresAt });
    return { _id: id, _source: { ..._source, token } };
  }

  /**
   * `kuid`'s keys matching `query` (see api-key-query.ts), oldest first.
   * `total` counts every match (Kuzzle's counts the page's).
   */
  search(kuid: string, query: unknown, from: number, size: number): { hits: ApiKey[]; total: number } {
    const matches = compileApiKeyQuery(query);
    const found = this.#ofUser.all(kuid).map((row) => apiKeyOf(kuid, row)).filter(matches);
    return { hits: found.slice(from, from + size), total: found.length };
  }

  /**
   * Deletes one of `kuid`'s keys; it is refused from the next request on.
   * @throws 404 `services.storage.not_found` if `kuid` has no key `id` (another user's key included).
   */
  delete(kuid: string, id: string): void {
    const fingerprint = this.#fingerprintOf.get(kuid, id);
    if (fingerprint === undefined) {
      const error = new PluginError('services.storage.not_found', id, 'kernel', 'api-keys');
      error.message = `API key "${id}" not found.`;
      throw error;
    }
    this.#delete.run(fingerprint);
    this.#index.delete(fingerprint);
  }

  /** Deletes every key of `kuid` (user deletion); answers how many. */
  deleteUser(kuid: string): number {
    for (const fingerprint of this.#fingerprintsOf.all(kuid)) this.#index.delete(fingerprint);
    return this.#deleteOf.run(kuid).changes;
  }

  /**
   * A presented `kapikey-` key not in the index: its signature (HS256 only),
   * its `exp` if it has one, then its row by fingerprint. Indexed once found.
   */
  load(token: string): TokenEntry {
    let payload: unknown;
    try {
      payload = jwt.verify(token.slice(API_KEY_PREFIX.length), this.#key, { algorithms: ['HS256'], ignoreExpiration: true });
    } catch {
      throw invalidToken('malformed');
    }
    const { _id, jti, exp, kind } = (payload ?? {}) as Record<string, unknown>;
    if (typeof _id !== 'string' || typeof jti !== 'string' || kind !== 'apiKey' || (exp !== undefined && typeof exp !== 'number')) throw invalidToken('malformed');
    if (typeof exp === 'number' && exp * 1000 <= Date.now()) throw invalidToken('expired');
    const fingerprint = fingerprintOf(token);
    const row = this.#byFingerprint.get(fingerprint);
    if (row === undefined || row.user_id !== _id) throw invalidToken('revoked');
    const entry: TokenEntry = { kind: 'apiKey', jti: fingerprint, kuid: _id, expiresAt: row.expires_at ?? Infinity, refreshed: false };
    this.#index.set(token, entry);
    return entry;
  }
}

/** SHA-256 of the whole key, prefix included, in hex. */
export function fingerprintOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function apiKeyOf(kuid: string, row: ApiKeyRow): ApiKey {
  return { _id: row.id, _source: { userId: kuid, description: row.description, expiresAt: row.expires_at ?? -1, ttl: row.ttl } };
}
