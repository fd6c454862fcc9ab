/**
 * The `credentials` collection (document id: the kuid), typed, and what
 * every way of setting a password shares: the history rule and the fields
 * a new password changes.
 */
import { BadRequestError, type JsonObject, type PluginContext, type Repository, type StoredDocument } from '@portcullis/sdk-plugin';
import type { LocalConfig } from './config.js';
import type { StoredCredentials } from './credentials.js';

export type CredentialsDocument = StoredDocument & { _source: StoredCredentials & JsonObject };

export class CredentialStore {
  constructor(
    /** The raw collection, for writes that need its unique-index errors. */
    readonly repository: Repository,
    private readonly context: PluginContext,
    private readonly config: LocalConfig,
  ) {}

  async get(kuid: string): Promise<CredentialsDocument | null> {
    return (await this.repository.get(kuid)) as CredentialsDocument | null;
  }

  /** By normalized username (unique index). */
  async byUsername(username: string): Promise<CredentialsDocument | null> {
    const { hits } = await this.repository.search({ where: { username }, size: 1 });
    return (hits[0] ?? null) as CredentialsDocument | null;
  }

  /** Refuses `password` (normalized) if it is the current one or in the history (`historySize` of them). */
  async assertNotReused(password: string, stored: StoredCredentials): Promise<void> {
    const { historySize } = this.config.policy;
    const recent = [stored.hash, ...stored.history].slice(0, historySize);
    for (const hash of recent) {
      if (await this.context.password.verify(password, hash)) {
        throw new BadRequestError(`password must differ from the last ${historySize} passwords`);
      }
    }
  }

  /** The fields a new password (normalized, policy already checked) changes; the old hash joins the history. */
  async passwordChanges(stored: StoredCredentials, password: string, setByAdmin: boolean): Promise<Partial<StoredCredentials>> {
    return {
      hash: await this.context.password.hash(password, this.config.cost),
      passwordSetAt: Date.now(),
      setByAdmin,
      history: [stored.hash, ...stored.history].slice(0, this.config.policy.historySize),
    };
  }
}
