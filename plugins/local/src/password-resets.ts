/**
 * Single-use password reset tokens: 256 random bits, given once to the
 * caller, stored only as a SHA-256 digest (a copy of the namespace reveals
 * no usable token), expiring after `ttlMs`. A token is spent by deleting its
 * record: of two concurrent resets with one token, exactly one wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import { UnauthorizedError, type Repository } from '@portcullis/sdk-plugin';

const INVALID = 'reset token is invalid, used or expired';

interface StoredReset {
  kuid: string;
  expiresAt: number;
}

export class PasswordResets {
  constructor(
    private readonly tokens: Repository,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token for `kuid`; any earlier one of that user stops working. */
  async issue(kuid: string): Promise<{ resetToken: string; expiresAt: number }> {
    await this.voidFor(kuid);
    const resetToken = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    await this.tokens.create({ kuid, expiresAt } satisfies StoredReset, digest(resetToken));
    return { resetToken, expiresAt };
  }

  /** The user a valid token resets, without spending it (so a refused password keeps it usable). */
  async peek(resetToken: unknown): Promise<string> {
    if (typeof resetToken !== 'string' || resetToken.length === 0 || resetToken.length > 256) throw new UnauthorizedError(INVALID);
    const stored = await this.tokens.get(digest(resetToken));
    if (stored === null) throw new UnauthorizedError(INVALID);
    const { kuid, expiresAt } = stored._source as unknown as StoredReset;
    if (this.now() >= expiresAt) {
      await this.tokens.delete(stored._id);
      throw new UnauthorizedError(INVALID);
    }
    return kuid;
  }

  /** Voids every token of `kuid` (new password, deleted credentials, a newer token). */
  async voidFor(kuid: string): Promise<void> {
    const { hits } = await this.tokens.search({ where: { kuid }, size: 1000 });
    for (const hit of hits) await this.tokens.delete(hit._id);
  }

  /** Spends the token; throws if another request spent it first. */
  async spend(resetToken: string): Promise<void> {
    if (!(await this.tokens.delete(digest(resetToken)))) throw new UnauthorizedError(INVALID);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
