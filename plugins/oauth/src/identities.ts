/**
 * The `identities` collection: which user holds which provider identity.
 * Document id `<strategy>:<subject>` (a strategy name holds no colon), so
 * one identity is one user's at most; `owner` (`<strategy>:<kuid>`, unique)
 * keeps one identity per user and strategy, as Kuzzle's credentials are.
 * A login finds its user here by the provider's subject, never by anything
 * the client names.
 *
 * A first login reserves the identity under a kuid chosen here (`pending`)
 * before the user is created with that kuid, and completes it after. A
 * first login cut short in between (the thread died, a host call failed)
 * leaves the reservation: the next login of the identity finishes it with
 * the same kuid, so the user created the first time is found, never made
 * twice. Two racing first logins share one reservation, hence one kuid.
 */
import { randomUUID } from 'node:crypto';
import { PreconditionError, type PluginError, type Repository } from '@portcullis/sdk-plugin';
import type { Identity } from './claims.js';

export interface StoredIdentity {
  strategy: string;
  subject: string;
  issuer: string;
  email: string | null;
  kuid: string;
  owner: string;
  /** True from a first login's reservation until its user is known to exist (absent: false). */
  pending?: boolean;
  at: number;
}

export const IDENTITIES_COLLECTION = { name: 'identities', indexes: [{ field: 'owner', unique: true }] };

const idOf = (strategy: string, subject: string) => `${strategy}:${subject}`;
const ownerOf = (strategy: string, kuid: string) => `${strategy}:${kuid}`;
const inProgress = () => new PreconditionError('a first login of this identity is in progress: try again in a moment');

export class Identities {
  constructor(private readonly repository: Repository) {}

  /** The identity's record, reserved or complete, or null. */
  async find(strategy: string, subject: string): Promise<StoredIdentity | null> {
    const found = await this.repository.get(idOf(strategy, subject));
    return (found?._source as unknown as StoredIdentity | undefined) ?? null;
  }

  async ofUser(strategy: string, kuid: string): Promise<StoredIdentity | null> {
    const { hits } = await this.repository.search({ where: { owner: ownerOf(strategy, kuid) }, size: 1 });
    return (hits[0]?._source as unknown as StoredIdentity | undefined) ?? null;
  }

  /**
   * The identity's record for a first login: a new reservation under a fresh kuid, or the
   * record another login left or is writing (finished or not), whose kuid is then used.
   */
  async reserve(strategy: string, identity: Identity): Promise<StoredIdentity> {
    const id = idOf(strategy, identity.subject);
    // The kernel's own format (kuid-<uuid>); random, so a user with it can only be this reservation's.
    const kuid = `kuid-${randomUUID()}`;
    const record: StoredIdentity = {
      strategy, subject: identity.subject, issuer: identity.issuer, email: identity.email, kuid, owner: ownerOf(strategy, kuid), pending: true, at: Date.now(),
    };
    try {
      await this.repository.create({ ...record }, id);
      return record;
    } catch (error) {
      if ((error as PluginError).id !== 'services.storage.document_already_exists') throw error;
    }
    const found = await this.find(strategy, identity.subject);
    // Gone between the two calls (its user deleted meanwhile): the next login starts afresh.
    if (found === null) throw inProgress();
    return found;
  }

  /** Completes a reservation once its user exists; false if it was dropped meanwhile (the user deleted, the identity unlinked). */
  async complete(strategy: string, subject: string, kuid: string): Promise<boolean> {
    return (await this.repository.updateIf(idOf(strategy, subject), { kuid }, { pending: false, at: Date.now() })) !== null;
  }

  /** Drops a reservation whose user was refused (nothing created), unless another login has already taken it further. */
  async release(strategy: string, subject: string, kuid: string): Promise<void> {
    const found = await this.find(strategy, subject);
    if (found?.kuid === kuid && found.pending === true) await this.repository.delete(idOf(strategy, subject));
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
      strategy, subject: identity.subject, issuer: identity.issuer, email: identity.email, kuid, owner: ownerOf(strategy, kuid), pending: false, at: Date.now(),
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

  /** The identity's record once complete: a reservation names a user that may not exist yet. */
  async bySubject(strategy: string, subject: string): Promise<StoredIdentity | null> {
    const stored = await this.find(strategy, subject);
    return stored?.pending === true ? null : stored;
  }
}
