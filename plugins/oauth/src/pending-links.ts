/**
 * Pending links (`linking: "verifiedEmail"`): an identity no user holds,
 * whose provider vouched for its email, waits here for the user with that
 * email to confirm it. The plugin cannot link it by itself: the kernel
 * enrolls an existing user in a strategy only through that user's
 * auth:createMyCredentials (or an admin's createCredentials), so the user
 * logs in another way and confirms; the plugin then checks that the user's
 * own stored email is the one the provider verified. Keyed by
 * `<strategy>:<subject>`, found by `<strategy>:<lower-cased email>`, each
 * lives `pendingLinkTtlSeconds` and is used once.
 */
import { PreconditionError, type Repository } from '@portcullis/sdk-plugin';
import type { Identity } from './claims.js';

export const PENDING_LINKS_COLLECTION = { name: 'pending-links', indexes: [{ field: 'match' }, { field: 'expiresAt' }] };

const SWEEP_BATCH = 50;
const matchOf = (strategy: string, email: string) => `${strategy}:${email.trim().toLowerCase()}`;

export class PendingLinks {
  constructor(
    private readonly repository: Repository,
    private readonly ttlMs: number,
  ) {}

  /** Offers a verified identity to the user with its email (a new offer replaces an older one). */
  async offer(strategy: string, identity: Identity): Promise<void> {
    if (identity.email === null || !identity.emailVerified) return;
    await this.#sweep();
    await this.repository.createOrReplace(`${strategy}:${identity.subject}`, {
      subject: identity.subject,
      issuer: identity.issuer,
      email: identity.email,
      match: matchOf(strategy, identity.email),
      expiresAt: Date.now() + this.ttlMs,
    });
  }

  /**
   * Takes the one live offer for `email` (the confirming user's stored email):
   * the identity to link. 412 if there is none, or several (which one the user
   * meant cannot be told: each is then left to expire).
   */
  async take(strategy: string, email: string): Promise<Identity> {
    const { hits } = await this.repository.search({ where: { match: matchOf(strategy, email), expiresAt: { gt: Date.now() } }, size: 2 });
    const [offer, another] = hits;
    if (offer === undefined) throw new PreconditionError('no pending link for your email: log in with the identity provider first, then confirm within the time allowed');
    if (another !== undefined) throw new PreconditionError('several identities wait to be linked to your email: ask an administrator');
    // Used once: only the caller whose delete removed it goes on.
    if (!(await this.repository.delete(offer._id))) throw new PreconditionError('this pending link was just used');
    const source = offer._source as { subject: string; issuer: string; email: string };
    return { subject: source.subject, issuer: source.issuer, email: source.email, emailVerified: true, content: {} };
  }

  async #sweep(): Promise<void> {
    const { hits } = await this.repository.search({ where: { expiresAt: { lte: Date.now() } }, size: SWEEP_BATCH });
    for (const hit of hits) await this.repository.delete(hit._id);
  }
}
