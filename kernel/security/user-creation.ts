/**
 * Creating a user with credentials, all or nothing: strategies checked,
 * each plugin asked whether credentials already exist for the kuid, the
 * user created (marked pending: creation-journal.ts), then each strategy's
 * credentials validated and created (recorded in the ledger), and the mark
 * cleared. On any failure every credential created so far and the user are
 * removed, and the caller gets the plugin's own error; after a crash, boot
 * does the same (ledger-boot.ts).
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, RequestContext, UserRecord } from '@portcullis/sdk-plugin/protocol';
import type { Logger } from '../log.js';
import type { StrategyRegistry } from '../plugins/strategy-registry.js';
import type { CreationJournal } from './creation-journal.js';
import type { CredentialLedger } from './credential-ledger.js';
import type { Rights } from './rights.js';
import { assertKuid, type UserStore } from './user-store.js';

export interface NewUser {
  kuid: string;
  content: JsonObject;
  profileIds: string[];
  /** strategy -> credentials. */
  credentials: Record<string, JsonObject>;
}

export interface UserCreationDeps {
  users: UserStore;
  strategies: StrategyRegistry;
  /**
   * Read at each use, before and after the awaits: pass the services object,
   * whose getter answers the rules in force (a copy taken once would miss a
   * profile deleted meanwhile).
   */
  readonly rights: Rights;
  tokens: { revokeUser(kuid: string): number; apiKeys: { deleteUser(kuid: string): number } };
  ledger: CredentialLedger;
  creations: CreationJournal;
  log: Logger;
}

/**
 * Checked synchronously right before the user is written, after the awaits
 * on plugins: createFirstAdmin's "no admin yet" must still hold then, or two
 * concurrent calls would both create an admin.
 */
export type CreationGuard = () => void;

export async function createUserWithCredentials(deps: UserCreationDeps, user: NewUser, request: RequestContext, guard: CreationGuard = () => {}): Promise<UserRecord> {
  const { users, strategies } = deps;
  assertKuid(user.kuid);
  assertProfiles(deps.rights, user.profileIds);
  const entries = Object.entries(user.credentials);
  for (const [strategy] of entries) strategies.assertAvailable(strategy);
  if (users.exists(user.kuid)) throw new PluginError('security.user.already_exists', user.kuid);
  // Credentials left over for this kuid (a crash, a restore) would be adopted silently.
  for (const [strategy] of entries) {
    if (await strategies.call(strategy, 'exists', { request, kuid: user.kuid, strategy })) {
      throw new PluginError('security.credentials.database_inconsistency', user.kuid);
    }
  }
  guard();
  // A profile deleted during the awaits above would leave the user naming one that does not exist.
  assertProfiles(deps.rights, user.profileIds);
  const created = deps.creations.begin(() => users.create(user.kuid, user.content, user.profileIds));
  try {
    return await createCredentialsOf(deps, user, request, created);
  } finally {
    deps.creations.release(user.kuid);
  }
}

async function createCredentialsOf(deps: UserCreationDeps, user: NewUser, request: RequestContext, created: UserRecord): Promise<UserRecord> {
  const { strategies } = deps;
  const entries = Object.entries(user.credentials);
  const done: string[] = [];
  let creating: string | null = null;
  try {
    for (const [strategy, credentials] of entries) {
      await strategies.call(strategy, 'validate', { request, credentials, kuid: user.kuid, strategy, isUpdate: false });
      creating = strategy;
      // Left `creating` (no login yet) until every strategy is done, then all `held` at once.
      await deps.ledger.recordCreate(strategy, user.kuid, () => strategies.call(strategy, 'create', { request, credentials, kuid: user.kuid, strategy }), false);
      done.push(strategy);
      creating = null;
    }
    const finished = deps.creations.finish(user.kuid, () => {
      for (const strategy of done) deps.ledger.confirm(strategy, user.kuid);
    });
    if (!finished) throw new PluginError('security.user.not_found', user.kuid);
  } catch (error) {
    // A create cut short by a timeout or a dying thread (5xx) may have written its credentials: they are deleted too.
    const uncertain = !(error instanceof PluginError && error.status < 500);
    await rollback(deps, user.kuid, creating !== null && uncertain ? [...done, creating] : done, request);
    throw error;
  }
  return created;
}

async function rollback(deps: UserCreationDeps, kuid: string, strategies: string[], request: RequestContext): Promise<void> {
  let undone = true;
  for (const strategy of strategies.reverse()) {
    try {
      await deps.strategies.call(strategy, 'delete', { request, kuid, strategy });
    } catch (error) {
      // 404: there were none (a create cut short before writing).
      if (!(error instanceof PluginError && error.status === 404)) {
        deps.log.error({ strategy, kuid, error: (error as PluginError).id }, 'user creation rollback: could not delete credentials; the user is kept pending (no login) for the next boot to finish');
        undone = false;
        continue;
      }
    }
    deps.ledger.forget(strategy, kuid);
  }
  // Its ledger rows (`creating`) name what is left to delete; the settler does it (ledger-boot.ts), or an admin's deleteUser.
  if (!undone) {
    deps.ledger.onUnsettled();
    return;
  }
  // Nobody can log in as a pending user (its ledger rows are `creating`); an admin's API key for it is possible.
  deps.tokens.revokeUser(kuid);
  deps.tokens.apiKeys.deleteUser(kuid);
  // Its ledger rows and pending mark go with it (a trigger on users).
  deps.users.delete(kuid);
}

/** Every profile must exist: 404 `security.profile.not_found` otherwise. */
export function assertProfiles(rights: Rights, profileIds: readonly string[]): void {
  if (profileIds.length === 0) throw new PluginError('api.assert.empty_argument', 'body.content.profileIds');
  const unknown = profileIds.find((id) => !rights.hasProfile(id));
  if (unknown !== undefined) throw new PluginError('security.profile.not_found', unknown);
}
