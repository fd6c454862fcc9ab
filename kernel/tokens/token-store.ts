/**
 * Authentication tokens: `kauth-` + a JWT signed HS256 with the kernel
 * secret, payload `{_id, jti, iat, exp}`. Every token has a row in the
 * kernel database (its revocation is deleting the row) and, once used, an
 * entry in a bounded in-memory index keyed by the token, so a known token
 * is checked with one map lookup; an unknown one has its signature checked
 * (algorithm pinned, `exp` required) and its row read. A single-use token
 * (auth:createToken) is never indexed: its one use deletes its row.
 * `kapikey-` API keys share the index and are verified here too; the rest
 * of their life is in api-key-store.ts.
 */
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { KernelDb } from '../storage/kernel-db.js';
import { API_KEY_PREFIX, ApiKeyStore } from './api-key-store.js';
import { invalidToken } from './invalid-token.js';
import { TokenIndex, type TokenEntry } from './token-index.js';


export const AUTH_TOKEN_PREFIX = 'kauth-';
/**
 * How long a refreshed token keeps working: requests the client sent just
 * before it swapped tokens still land (Kuzzle's grace period is the same 1 s).
 */
export const REFRESH_GRACE_MS = 1000;
/** 100k cached tokens take about 40 MB; past that the oldest take the slow path. */
const INDEX_CAPACITY = 100_000;
/** Longest token string accepted anywhere (header, cookie, checkToken body): ours are about 200 characters. */
export const MAX_TOKEN_LENGTH = 2048;

export interface IssuedToken {
  _id: string;
  jti: string;
  jwt: string;
  /** ms epoch. */
  expiresAt: number;
  /** ms. */
  ttl: number;
  /** Valid for one request only. */
  singleUse: boolean;
}

export type VerifiedToken = TokenEntry;

interface TokenRow {
  user_id: string;
  expires_at: number;
  refreshed: number;
  single_use: number;
}

export class TokenStore {
  /** API keys: created, searched and deleted there, verified by {@link verify}. */
  readonly apiKeys: ApiKeyStore;
  readonly #key: KeyObject;
  readonly #index = new TokenIndex(INDEX_CAPACITY);
  readonly #insert: Statement<[string, string, number, number, number]>;
  readonly #select: Statement<[string], TokenRow>;
  readonly #delete: Statement<[string]>;
  readonly #markRefreshed: Statement<[number, string]>;
  readonly #jtisOf: Statement<[string], string>;
  readonly #deleteOf: Statement<[string, string | null]>;
  readonly #deleteExpired: Statement<[number]>;

  constructor(db: KernelDb, secret: Buffer) {
    // A KeyObject: jsonwebtoken re-imports a string or Buffer secret on every call, about 10x slower.
    this.#key = createSecretKey(secret);
    this.#insert = db.prepare('INSERT INTO tokens (jti, user_id, expires_at, created_at, single_use) VALUES (?, ?, ?, ?, ?)');
    this.#select = db.prepare('SELECT user_id, expires_at, refreshed, single_use FROM tokens WHERE jti = ?');
    this.#delete = db.prepare('DELETE FROM tokens WHERE jti = ?');
    this.#markRefreshed = db.prepare('UPDATE tokens SET refreshed = 1, expires_at = MIN(expires_at, ?) WHERE jti = ? AND refreshed = 0');
    this.#jtisOf = db.prepare<[string], string>('SELECT jti FROM tokens WHERE user_id = ?').pluck();
    this.#deleteOf = db.prepare('DELETE FROM tokens WHERE user_id = ? AND jti IS NOT ?');
    this.#deleteExpired = db.prepare('DELETE FROM tokens WHERE expires_at <= ?');
    this.apiKeys = new ApiKeyStore(db, this.#key, this.#index);
  }

  /** Signs and records a token for `kuid`, valid `ttlMs` (and for one request only if `singleUse`). */
  issue(kuid: string, ttlMs: number, singleUse = false): IssuedToken {
    const jti = randomUUID();
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    // `exp` is in whole seconds; expiresAt is that same instant, so clients and kernel agree.
    const exp = Math.ceil((now + ttlMs) / 1000);
    const token = AUTH_TOKEN_PREFIX + jwt.sign({ _id: kuid, jti, iat, exp }, this.#key, { algorithm: 'HS256' });
    const expiresAt = exp * 1000;
    this.#insert.run(jti, kuid, expiresAt, now, singleUse ? 1 : 0);
    if (!singleUse) this.#index.set(token, { kind: 'token', jti, kuid, expiresAt, refreshed: false });
    return { _id: kuid, jti, jwt: token, expiresAt, ttl: ttlMs, singleUse };
  }

  /**
   * The token's (or API key's) owner and state; throws 401
   * `security.token.invalid` (malformed, expired or revoked). Only looks: a
   * single-use token is spent by {@link use}, once its request is let through.
   */
  verify(token: string): VerifiedToken {
    const entry = this.#index.get(token) ?? this.#load(token);
    if (entry.expiresAt <= Date.now()) throw invalidToken('expired');
    return entry;
  }

  /**
   * Uses up a single-use token (nothing for any other): of two requests
   * using it at once, the row decides, one deletes it and the other gets 401.
   */
  use(entry: VerifiedToken): void {
    if (entry.singleUse === true && this.#delete.run(entry.jti).changes !== 1) throw invalidToken('revoked');
  }

  /**
   * Marks a token refreshed: it keeps working for {@link REFRESH_GRACE_MS}
   * and can never be refreshed again (401 `security.token.refresh_forbidden`).
   */
  markRefreshed(entry: VerifiedToken): void {
    if (entry.kind === 'apiKey') throw new PluginError('security.token.refresh_forbidden', 'API key');
    const graceEnd = Date.now() + REFRESH_GRACE_MS;
    // The row is the arbiter: of two concurrent refreshes, one changes it.
    if (this.#markRefreshed.run(graceEnd, entry.jti).changes !== 1) {
      throw new PluginError('security.token.refresh_forbidden');
    }
    this.#index.update(entry.jti, { refreshed: true, expiresAt: Math.min(entry.expiresAt, graceEnd) });
  }

  /** Revokes one token at once. */
  revoke(jti: string): void {
    this.#delete.run(jti);
    this.#index.delete(jti);
  }

  /**
   * Revokes every token of `kuid` at once (user deletion included), except
   * the one with jti `keep` if given. API keys are kept (`logout?global`).
   */
  revokeUser(kuid: string, keep?: string): number {
    for (const jti of this.#jtisOf.all(kuid)) if (jti !== keep) this.#index.delete(jti);
    return this.#deleteOf.run(kuid, keep ?? null).changes;
  }

  /** Deletes expired rows (expired tokens are refused anyway; this keeps the table small). */
  sweepExpired(): number {
    return this.#deleteExpired.run(Date.now()).changes;
  }

  #load(token: string): TokenEntry {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('malformed');
    if (token.startsWith(API_KEY_PREFIX)) return this.apiKeys.load(token);
    if (!token.startsWith(AUTH_TOKEN_PREFIX)) throw invalidToken('malformed');
    let payload: unknown;
    try {
      payload = jwt.verify(token.slice(AUTH_TOKEN_PREFIX.length), this.#key, { algorithms: ['HS256'], ignoreExpiration: true });
    } catch {
      throw invalidToken('malformed');
    }
    const { _id, jti, exp } = (payload ?? {}) as Record<string, unknown>;
    if (typeof _id !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') throw invalidToken('malformed');
    if (exp * 1000 <= Date.now()) throw invalidToken('expired');
    const row = this.#select.get(jti);
    if (row === undefined || row.user_id !== _id) throw invalidToken('revoked');
    const entry: TokenEntry = { kind: 'token', jti, kuid: _id, expiresAt: row.expires_at, refreshed: row.refreshed === 1 };
    if (row.single_use === 0) this.#index.set(token, entry);
    else entry.singleUse = true;
    return entry;
  }
}
