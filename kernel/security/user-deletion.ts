/**
 * Deleting users with all that is theirs: credentials in every strategy,
 * tokens and API keys, then the user. The order is chosen so a failure never leaves
 * credentials without a user:
 * 1. every user must exist, and none may be the anonymous user;
 * 2. every registered strategy, including those whose plugin is down, is
 *    asked whether each user has credentials there. A plugin that is down
 *    answers 503 here, and the deletion stops before anything is removed;
 * 3. then, user by user: its credentials are deleted, then its tokens and
 *    API keys, and the user last. Should a plugin fail in this step, the user still
 *    exists (with the credentials not yet deleted) and deleting it again
 *    finishes the job.
 * The last admin cannot be deleted (412 `security.user.last_admin`): with no
 * admin, createFirstAdmin would be open to anyone.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { RequestContext } from '@portcullis/sdk-plugin/protocol';
import type { Logger } from '../log.js';
import type { StrategyRegistry } from '../plugins/strategy-registry.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { CredentialLedger } from './credential-ledger.js';
import { ANONYMOUS_KUID } from './rights.js';
import type { UserStore } from './user-store.js';

export interface UserDeletionDeps {
  users: UserStore;
  strategies: StrategyRegistry;
  tokens: TokenStore;
  ledger: CredentialLedger;
  log: Logger;
}

/** Deletes `kuids` (all or, should step 1 or 2 fail, none); answers the kuids deleted. */
export async function deleteUsers(deps: UserDeletionDeps, kuids: readonly string[], request: RequestContext, field = '_id'): Promise<string[]> {
  const unique = [...new Set(kuids)];
  for (const kuid of unique) {
    refuseAnonymous(kuid, field);
    if (!deps.users.exists(kuid)) throw new PluginError('security.user.not_found', kuid);
  }
  const release = deps.users.reserveDeletion(unique);
  try {
    const plans: Array<{ kuid: string; strategies: string[] }> = [];
    for (const kuid of unique) plans.push({ kuid, strategies: await strategiesWithCredentials(deps.strategies, kuid, request) });
    for (const { kuid, strategies } of plans) {
      for (const strategy of strategies) {
        try {
          await deps.ledger.recordDelete(strategy, kuid, () => deps.strategies.call(strategy, 'delete', { request, kuid, strategy }));
        } catch (error) {
          deps.log.error({ kuid, strategy, error: (error as PluginError).id }, 'user deletion: could not delete credentials; the user is kept');
          throw error;
        }
      }
      deps.tokens.revokeUser(kuid);
      deps.tokens.apiKeys.deleteUser(kuid);
      // Its remaining ledger rows go with it (a trigger on users).
      deps.users.delete(kuid);
    }
  } finally {
    release();
  }
  return unique;
}

/** The anonymous user is built in, not stored: it can be neither changed nor deleted. */
export function refuseAnonymous(kuid: string, field = '_id'): void {
  if (kuid === ANONYMOUS_KUID) {
    throw new PluginError('api.assert.invalid_argument', field, 'a stored user (the anonymous user "-1" cannot be changed or deleted)');
  }
}

/**
 * The strategies among `names` in which `kuid` has credentials, asking each
 * plugin's `exists` at once. By default every registered strategy: a plugin
 * that is down rejects, and so does this.
 */
export async function strategiesWithCredentials(registry: StrategyRegistry, kuid: string, request: RequestContext, names = registry.registered()): Promise<string[]> {
  const found = await Promise.all(names.map((strategy) => registry.call(strategy, 'exists', { request, kuid, strategy })));
  return names.filter((_, i) => found[i]);
}
