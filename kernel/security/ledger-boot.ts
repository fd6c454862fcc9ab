/**
 * One settling pass over the credential ledger (credential-ledger.ts) and
 * the creation journal (creation-journal.ts): at boot, once plugins are
 * ready and before the kernel listens, then in the background for whatever
 * is left (ledger-settlement.ts schedules it):
 * 1. user creations that ended unfinished (a crash, a rollback that could
 *    not delete credentials) are undone: the credentials of each strategy
 *    the ledger names are deleted (a 404 is fine: the create had not
 *    happened), then the user with its tokens and API keys;
 * 2. rows left `creating` are settled by the plugin's `exists`, rows left
 *    `deleting` by calling `delete` again;
 * 3. strategies never backfilled (an install from before the ledger, a
 *    plugin enabled since, a strategy now served by another plugin) are
 *    filled by asking the plugin's `exists` for every user, unless the
 *    plugin's namespace held nothing when this process opened it: nothing stored
 *    before the ledger, and the strategy is recorded as it is.
 * Every user and row is tried on its own: one that fails is skipped and
 * tried again by the next pass, the others are done. A strategy is marked
 * backfilled only once every user has been answered; until then its users
 * not recorded yet are refused (a plugin must not be able to switch the
 * check off by failing it). A pass stops asking a plugin that is down (503)
 * or fails every user of a page, and leaves the rest for the next pass.
 * Background passes run beside requests: a row whose create or delete the
 * kernel ran meanwhile is left to that call (`ledger.watch`). Steps 2 and 3
 * trust the plugin's answers.
 */
import { randomUUID } from 'node:crypto';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { RequestContext } from '@portcullis/sdk-plugin/protocol';
import type { Logger } from '../log.js';
import type { StrategyRegistry } from '../plugins/strategy-registry.js';
import type { CreationJournal } from './creation-journal.js';
import type { CredentialLedger, HolderRow, Touched } from './credential-ledger.js';
import type { BackfillProgress } from './ledger-backfill.js';
import type { UserStore } from './user-store.js';

export interface LedgerBootDeps {
  ledger: CredentialLedger;
  creations: CreationJournal;
  users: UserStore;
  strategies: StrategyRegistry;
  tokens: { revokeUser(kuid: string): number; apiKeys: { deleteUser(kuid: string): number } };
  /** Whether the plugin's namespace held nothing when this process opened it (plugin-host.ts): nothing to backfill. */
  newNamespace(plugin: string): boolean;
  log: Logger;
}

/** Runs one pass; `stopped` is checked between calls (shutdown). */
export async function settleCredentialLedger(deps: LedgerBootDeps, progress: BackfillProgress, stopped: () => boolean = () => false): Promise<void> {
  await undoInterruptedCreations(deps, stopped);
  await deps.ledger.watch((touched) => settleUnsettledRows(deps, touched, stopped));
  for (const strategy of deps.strategies.names()) {
    if (stopped()) return;
    await progress.backfill(strategy, stopped);
  }
}

async function undoInterruptedCreations(deps: LedgerBootDeps, stopped: () => boolean): Promise<void> {
  for (const kuid of deps.creations.abandoned()) {
    if (stopped()) return;
    const rows = deps.ledger.rowsOf(kuid);
    const undone = await Promise.all(rows.map((row) => deleteCredentials(deps, row)));
    if (undone.includes(false)) {
      deps.log.warn({ kuid }, 'an interrupted user creation cannot be undone while a plugin fails: the user is kept, unable to log in, and tried again later');
      continue;
    }
    // An admin's deleteUser may have finished it meanwhile.
    if (!deps.creations.abandoned().includes(kuid)) continue;
    deps.tokens.revokeUser(kuid);
    deps.tokens.apiKeys.deleteUser(kuid);
    // Its ledger rows and pending mark go with it (a trigger on users).
    deps.users.delete(kuid);
    deps.log.warn({ kuid, strategies: rows.map((row) => row.strategy) }, 'undid an unfinished user creation');
  }
}

async function settleUnsettledRows(deps: LedgerBootDeps, touched: Touched, stopped: () => boolean): Promise<void> {
  const pending = new Set(deps.creations.pending());
  const live = new Set(deps.strategies.names());
  for (const row of deps.ledger.settleable()) {
    if (stopped()) return;
    // A user being created (or undone) is step 1's; a strategy whose plugin is gone waits for it.
    if (pending.has(row.kuid) || !live.has(row.strategy)) continue;
    if (row.state === 'deleting') {
      if ((await deleteCredentials(deps, row)) && !touched(row.strategy, row.kuid)) deps.ledger.forget(row.strategy, row.kuid);
      continue;
    }
    try {
      const exists = await deps.strategies.call(row.strategy, 'exists', { request: settleRequest('settle'), kuid: row.kuid, strategy: row.strategy });
      // A create or delete of the kernel's ran meanwhile: its outcome, not this answer, is the row's.
      if (touched(row.strategy, row.kuid)) continue;
      if (exists) deps.ledger.confirm(row.strategy, row.kuid);
      else deps.ledger.forget(row.strategy, row.kuid);
      deps.log.info({ kuid: row.kuid, strategy: row.strategy, exists }, 'settled a credentials creation of unknown outcome');
    } catch (error) {
      deps.log.warn({ kuid: row.kuid, strategy: row.strategy, error: errorId(error) }, 'could not settle a credentials creation of unknown outcome: logins refused until a later pass can');
    }
  }
}

/** Deletes a user's credentials in a strategy; true once they are gone (or were never there, or the strategy is no longer configured). */
async function deleteCredentials(deps: LedgerBootDeps, { strategy, kuid }: HolderRow): Promise<boolean> {
  try {
    await deps.strategies.call(strategy, 'delete', { request: settleRequest('undo'), kuid, strategy });
    return true;
  } catch (error) {
    if (error instanceof PluginError && (error.status === 404 || error.id === 'security.credentials.unknown_strategy')) return true;
    deps.log.warn({ kuid, strategy, error: errorId(error) }, 'could not delete credentials left by an interrupted operation');
    return false;
  }
}

/** The request a settling call is made for: no caller. */
export function settleRequest(action: string): RequestContext {
  return { requestId: randomUUID(), controller: 'kernel', action: `ledger.${action}`, userId: null, tokenId: null, args: {}, ip: null };
}

export function errorId(error: unknown): string {
  return error instanceof PluginError ? error.id : String(error);
}
