/**
 * Pending links (`linking: "verifiedEmail"`): an identity no user holds,
 * whose provider vouched for its email, waits here for the user with that
 * email to confirm it. The plugin cannot link it by itself: the kernel
 * enrolls an existing user in a strategy only through that user's
 * auth:createMyCredentials (or an admin's createCredentials), so the user
 * logs in another way and confirms.
 *
 * The confirm is bound to the provider login: the offer makes a 256-bit
 * link secret, answered once to the browser that completed the callback,
 * and keeps only its SHA-256. The confirm must bring the secret (proof of
 * that provider login) and come from a user whose stored email is the one
 * the provider verified (the second check). The email alone proves nothing:
 * users may change their own. Keyed by `<strategy>:<subject>` (a new offer
 * replaces an older one, and its secret), found by the secret's hash; each
 * lives `pendingLinkTtlSeconds` and is used once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError, PreconditionError, type Repository } from '@portcullis/sdk-plugin';
import { sameEmail, type Identity } from './claims.js';

export const PENDING_LINKS_COLLECTION = { name: 'pending-links', indexes: [{ field: 'secretHash' }, { field: 'expiresAt' }] };

const SWEEP_BATCH = 50;
const hashOf = (strategy: string, secret: string) => createHash('sha256').update(`${strategy}:${secret}`).digest('base64url');

/** A link secret as offer() makes them: 32 random bytes, base64url (43 characters). */
export const LINK_SECRET = /^[A-Za-z0-9_-]{43}$/;

export class PendingLinks {
  constructor(
    private readonly repository: Repository,
    private readonly ttlMs: number,
  ) {}

  /** Offers a verified identity to the user with its email; resolves with the link secret, or null (no verified email). */
  async offer(strategy: string, identity: Identity): Promise<string | null> {
    if (identity.email === null || !identity.emailVerified) return null;
    await this.#sweep();
    const secret = randomBytes(32).toString('base64url');
    await this.repository.createOrReplace(`${strategy}:${identity.subject}`, {
      subject: identity.subject,
      issuer: identity.issuer,
      email: identity.email,
      secretHash: hashOf(strategy, secret),
      expiresAt: Date.now() + this.ttlMs,
    });
    return secret;
  }

  /**
   * Takes the live offer the secret names, if it was made for `email` (the
   * confirming user's stored email): the identity to link. 403 if the secret
   * names no live offer, or one for another email (which stays for its user).
   */
  async take(strategy: string, secret: string, email: string): Promise<Identity> {
    const { hits } = await this.repository.search({ where: { secretHash: hashOf(strategy, secret), expiresAt: { gt: Date.now() } }, size: 1 });
    const [offer] = hits;
    if (offer === undefined) throw new ForbiddenError('no pending link for this linkSecret: log in with the identity provider again, then confirm within the time allowed');
    const source = offer._source as { subject: string; issuer: string; email: string };
    if (!sameEmail(source.email, email)) throw new ForbiddenError('the pending link is not for your email');
    // Used once: only the caller whose delete removed it goes on.
    if (!(await this.repository.delete(offer._id))) throw new PreconditionError('this pending link was just used');
    return { subject: source.subject, issuer: source.issuer, email: source.email, emailVerified: true, content: {} };
  }

  async #sweep(): Promise<void> {
    const { hits } = await this.repository.search({ where: { expiresAt: { lte: Date.now() } }, size: SWEEP_BATCH });
    for (const hit of hits) await this.repository.delete(hit._id);
  }
}
