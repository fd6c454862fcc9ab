/**
 * The `identities` collection: which user holds which provider identity.
 * Document id `<strategy>:<subject>` (a strategy name holds no colon), so
 * one identity is one user's at most; `owner` (`<strategy>:<kuid>`, unique)
 * keeps one identity per user and strategy, as Kuzzle's credentials are.
 * A login finds its user here by the provider's subject, never by anything
 * the client names.
 *
 * A first login reserves the identity (kuid null) before creating the user,
 * so two racing first logins create one user, not two; a reservation older
 * than RESERVATION_MS is a crash's leftover and is taken over.
 */
import { PreconditionError, type PluginError, type Repository } from '@portcullis/sdk-plugin';
import type { Identity } from './claims.js';

export interface StoredIdentity {
  strategy: string;
  subject: string;
  issuer: string;
  email: string | null;
  /** null while a first login creates its user. */
  kuid: string | null;
  owner: string | null;
  at: number;
}

const RESERVATION_MS = 60_000;
export const IDENTITIES_COLLECTION = { name: 'identities', indexes: [{ field: 'owner', unique: true }] };

const idOf = (strategy: string, subject: string) => `${strategy}:${subject}`;
const ownerOf = (strategy: string, kuid: string) => `${strategy}:${kuid}`;

export class Identities {
  constructor(private readonly repository: Repository) {}

  /** The user holding this identity, or null (none, or a first login still creating it). */
  async holder(strategy: string, subject: string): Promise<string | null> {
    const found = await this.repository.get(idOf(strategy, subject));
    return (found?._source.kuid as string | null | undefined) ?? null;
  }

  async ofUser(strategy: string, kuid: string): Promise<StoredIdentity | null> {
    const { hits } = await this.repository.search({ where: { owner: ownerOf(strategy, kuid) }, size: 1 });
    return (hits[0]?._source as unknown as StoredIdentity | undefined) ?? null;
  }

  /**
   * Reserves an identity no user holds, for a first login. False if another
   * login holds or reserves it (the caller then reads the holder again).
   */
  async reserve(strategy: string, identity: Identity): Promise<boolean> {
    const id = idOf(strategy, identity.subject);
    const record: StoredIdentity = { strategy, subject: identity.subject, issuer: identity.issuer, email: identity.email, kuid: null, owner: null, at: Date.now() };
    try {
      await this.repository.create({ ...record }, id);
      return true;
    } catch (error) {
      if ((error as PluginError).id !== 'services.storage.document_already_exists') throw error;
      const found = await this.repository.get(id);
      if (found === null || found._source.kuid !== null || Date.now() - (found._source.at as number) < RESERVATION_MS) return false;
      // A leftover reservation: taken over only if it is still that same one.
      return (await this.repository.updateIf(id, { kuid: null, at: found._source.at as number }, { at: Date.now() })) !== null;
    }
  }

  /** Completes a reservation with the user just created. */
  async complete(strategy: string, subject: string, kuid: string): Promise<void> {
    await this.repository.update(idOf(strategy, subject), { kuid, owner: ownerOf(strategy, kuid), at: Date.now() });
  }

  /** Drops a reservation whose user could not be created. */
  async release(strategy: string, subject: string): Promise<void> {
    await this.repository.delete(idOf(strategy, subject));
  }

  /**
   * Links an identity to an existing user (the kernel enrolled or is enrolling
   * them: a create, an update). 412 if another user holds it, or this user
   * already holds another identity of this strategy (unless `replacing`).
   * Written only if still as read: a create when nobody held it (of two users
   * racing for one identity, one wins and the other gets the 412), an update
   * of this same user's record otherwise.
   */
  async link(strategy: string, identity: Identity, kuid: string, replacing = false): Promise<StoredIdentity> {
    const id = idOf(strategy, identity.subject);
    const taken = () => new PreconditionError(`this ${strategy} identity is already linked to another user`);
    const holder = await this.repository.get(id);
    if (holder !== null && holder._source.kuid !== kuid) throw taken();
    const current = await this.ofUser(strategy, kuid);
    if (current !== null && current.subject !== identity.subject) {
      if (!replacing) throw new PreconditionError(`A strategy already exists for user "${kuid}".`);
      await this.repository.delete(idOf(strategy, current.subject));
    }
    const record: StoredIdentity = {
      strategy, subject: identity.subject, issuer: identity.issuer, email: identity.email, kuid, owner: ownerOf(strategy, kuid), at: Date.now(),
    };
    try {
      if (holder === null) await this.repository.create({ ...record }, id);
      else if ((await this.repository.updateIf(id, { kuid }, { ...record })) === null) throw taken();
    } catch (error) {
      const storageId = (error as PluginError).id;
      // Another link of this identity won the document, or a concurrent link of this same user won the owner slot.
      if (storageId === 'services.storage.document_already_exists') throw taken();
      if (storageId === 'services.storage.unique_violation') throw new PreconditionError(`A strategy already exists for user "${kuid}".`);
      throw error;
    }
    return record;
  }

  /** Unlinks the user's identity of this strategy; false if there was none. */
  async unlink(strategy: string, kuid: string): Promise<boolean> {
    const current = await this.ofUser(strategy, kuid);
    return current !== null && (await this.repository.delete(idOf(strategy, current.subject)));
  }

  async bySubject(strategy: string, subject: string): Promise<StoredIdentity | null> {
    const found = await this.repository.get(idOf(strategy, subject));
    const stored = (found?._source as unknown as StoredIdentity | undefined) ?? null;
    return stored?.kuid === null ? null : stored;
  }
}
