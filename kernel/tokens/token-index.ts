/**
 * The in-memory side of the token store: known tokens keyed by their full
 * string, so checking a token the kernel has seen costs one map lookup (no
 * signature check, no disk read). Bounded: past `capacity` entries the
 * oldest is forgotten, and its next use takes the slow path again.
 * Tokens and API keys share it, so either is checked with one lookup.
 */

export interface TokenEntry {
  /** `token`: a `kauth-` token; `apiKey`: a `kapikey-` key (never refreshed, kept by logout). */
  kind: 'token' | 'apiKey';
  /** What revocation finds the entry by: a token's JWT id, an API key's fingerprint. */
  jti: string;
  kuid: string;
  /** ms epoch; `Infinity` for an API key that never expires. */
  expiresAt: number;
  /** Already refreshed once: cannot be refreshed again. */
  refreshed: boolean;
  /** Valid for one request (auth:createToken): never in the index; used up by TokenStore.use. */
  singleUse?: true;
}

export class TokenIndex {
  readonly #byToken = new Map<string, TokenEntry>();
  readonly #tokenByJti = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get(token: string): TokenEntry | undefined {
    return this.#byToken.get(token);
  }

  set(token: string, entry: TokenEntry): void {
    if (!this.#byToken.has(token) && this.#byToken.size >= this.capacity) this.#evictOldest();
    this.#byToken.set(token, entry);
    this.#tokenByJti.set(entry.jti, token);
  }

  /** Updates a cached entry in place, if it is cached. */
  update(jti: string, change: Partial<Pick<TokenEntry, 'expiresAt' | 'refreshed'>>): void {
    const token = this.#tokenByJti.get(jti);
    const entry = token === undefined ? undefined : this.#byToken.get(token);
    if (entry !== undefined) Object.assign(entry, change);
  }

  delete(jti: string): void {
    const token = this.#tokenByJti.get(jti);
    if (token === undefined) return;
    this.#tokenByJti.delete(jti);
    this.#byToken.delete(token);
  }

  get size(): number {
    return this.#byToken.size;
  }

  #evictOldest(): void {
    // Maps iterate in insertion order: the first key is the oldest.
    const oldest = this.#byToken.entries().next();
    if (oldest.done === true) return;
    const [token, entry] = oldest.value;
    this.#byToken.delete(token);
    this.#tokenByJti.delete(entry.jti);
  }
}
