/**
 * The credential ledger: which users have credentials in which strategy,
 * as the kernel knows it from its own calls of the strategy's `create` and
 * `delete`. A login is accepted only for a user the ledger says holds
 * credentials in that strategy, so a plugin that vouches for a user it was
 * never given (a compromised one naming an admin) is refused. Plugins that
 * create users on first login enroll them through the host (`users.create`
 * with `strategy`).
 *
 * Each row is `held`, or marked while the kernel's call is in flight:
 * - `creating`, written BEFORE `create` is called (only for a user that
 *   exists: 404 without calling the plugin otherwise) and set to `held` after
 *   it succeeds (the row dropped if the user was deleted meanwhile), removed
 *   if the plugin refuses (4xx: nothing written). A crash
 *   in between, or a failure that leaves it unknown whether the plugin wrote
 *   (5xx: a timeout, a thread that died), leaves `creating`, which refuses
 *   logins (a verify never passes for credentials the kernel did not see
 *   created) and which boot settles by asking the plugin's `exists` (so a
 *   create that did finish is not lost: no lock-out).
 * - `deleting`, written BEFORE `delete` is called, the row removed after it
 *   succeeds or answers 404. A crash in between, or a 5xx, leaves
 *   `deleting`, which refuses logins (the deletion was asked for), and the
 *   settler finishes the deletion. A refusal (4xx) restores the row only
 *   when the user asked for its own deletion (the plugin may protect it:
 *   `local`'s requirePassword); an admin's deletion stays asked for, so a
 *   plugin cannot keep enrolled a user an admin is removing by refusing.
 * Deleting a user deletes its rows (a trigger on `users`, migration 7).
 */
import type { Statement } from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import type { KernelDb } from '../storage/kernel-db.js';

export type HolderState = 'held' | 'creating' | 'deleting';
export interface HolderRow { strategy: string; kuid: string; state: HolderState }
/** Whether a create or delete of (strategy, kuid) ran since the watch began, or runs now. */
export type Touched = (strategy: string, kuid: string) => boolean;

export class CredentialLedger {
  readonly #db: KernelDb;
  readonly #state: Statement<[string, string], HolderState>;
  readonly #held: Statement<[string], string>;
  readonly #intend: Statement<[string, string, string]>;
  readonly #confirm: Statement<[string, string, string]>;
  readonly #mark: Statement<[HolderState, string, string]>;
  readonly #remove: Statement<[string, string]>;
  readonly #abandon: Statement<[string, string, HolderState]>;
  readonly #insertHeld: Statement<[string, string, string]>;
  readonly #enroll: Statement<[string, string]>;
  /** Creates and deletes in flight, by (strategy, kuid): their rows are theirs, not the settler's. */
  readonly #inFlight = new Map<string, number>();
  /** Keys touched since each running watch began (settlement.ts, while it awaits a plugin). */
  readonly #watches = new Set<Set<string>>();
  /** Called when a call's outcome is unknown and its row is left for the settler. */
  onUnsettled: () => void = () => {};

  constructor(db: KernelDb) {
    this.#db = db;
    this.#state = db.prepare<[string, string], HolderState>('SELECT state FROM credential_holders WHERE strategy = ? AND kuid = ?').pluck();
    this.#held = db.prepare<[string], string>("SELECT strategy FROM credential_holders WHERE kuid = ? AND state = 'held' ORDER BY strategy").pluck();
    // Only for a user that exists: a mark left for a kuid already deleted would keep a later user of that kuid out.
    this.#intend = db.prepare("INSERT OR IGNORE INTO credential_holders (strategy, kuid, state) SELECT ?, ?, 'creating' WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)");
    // Only while the user exists: a user deleted during the call must not come back as a holder.
    this.#confirm = db.prepare(
      "INSERT INTO credential_holders (strategy, kuid, state) SELECT ?, ?, 'held' WHERE EXISTS (SELECT 1 FROM users WHERE id = ?) " +
        "ON CONFLICT (strategy, kuid) DO UPDATE SET state = 'held'",
    );
    this.#mark = db.prepare('UPDATE credential_holders SET state = ? WHERE strategy = ? AND kuid = ?');
    this.#remove = db.prepare('DELETE FROM credential_holders WHERE strategy = ? AND kuid = ?');
    this.#abandon = db.prepare('DELETE FROM credential_holders WHERE strategy = ? AND kuid = ? AND state = ?');
    this.#insertHeld = db.prepare("INSERT OR IGNORE INTO credential_holders (strategy, kuid, state) SELECT ?, ?, 'held' WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)");
    // A new user: any row already there for its kuid is stale (left for a user since deleted) and must not keep it out.
    this.#enroll = db.prepare("INSERT INTO credential_holders (strategy, kuid, state) VALUES (?, ?, 'held') ON CONFLICT (strategy, kuid) DO UPDATE SET state = 'held'");
  }

  /** The row's state, or null: only `held` lets a login through. */
  stateOf(strategy: string, kuid: string): HolderState | null {
    return this.#state.get(strategy, kuid) ?? null;
  }

  /** The strategies in which `kuid` holds credentials. */
  strategiesOf(kuid: string): string[] {
    return this.#held.all(kuid);
  }

  /** Runs the kernel's call of `create`, recorded as above; `confirm: false` leaves the row `creating` (a user creation confirms all at once). */
  async recordCreate<T>(strategy: string, kuid: string, create: () => Promise<T>, confirm = true): Promise<T> {
    const inserted = this.#intend.run(strategy, kuid, kuid).changes > 0;
    // Gone (deleted while the plugin validated): no credentials are created for a user that does not exist.
    if (!inserted && this.stateOf(strategy, kuid) === null) throw new PluginError('security.user.not_found', kuid);
    const done = this.#enter(strategy, kuid);
    let result: T;
    try {
      result = await create();
    } catch (error) {
      // Refused (4xx): nothing written, so this call's mark goes. A row from before stays: `held` (a
      // second create refused, the first credentials are there) or `creating` (an earlier create whose
      // outcome is unknown, e.g. a timeout after the plugin wrote: the settler asks the plugin).
      const outcome = outcomeOf(error);
      if (inserted && outcome !== 'unknown') this.#abandon.run(strategy, kuid, 'creating');
      done(outcome === 'unknown');
      throw error;
    }
    if (confirm) this.confirm(strategy, kuid);
    done(false);
    return result;
  }

  /** Marks `kuid` a holder in `strategy` if the user still exists; otherwise drops any row left for it. */
  confirm(strategy: string, kuid: string): void {
    if (this.#confirm.run(strategy, kuid, kuid).changes === 0) this.#remove.run(strategy, kuid);
  }

  /** Runs the kernel's call of `delete`, recorded as above; `byOwner`: the user asked, a refusal keeps it enrolled. */
  async recordDelete<T>(strategy: string, kuid: string, remove: () => Promise<T>, byOwner = false): Promise<T> {
    const before = this.stateOf(strategy, kuid);
    if (before !== null) this.#mark.run('deleting', strategy, kuid);
    const done = this.#enter(strategy, kuid);
    let result: T;
    try {
      result = await remove();
    } catch (error) {
      const outcome = outcomeOf(error);
      if (outcome === 'absent') this.#remove.run(strategy, kuid);
      // Refused: the credentials are still there, and usable only if their owner asked (an admin's removal stands).
      else if (outcome === 'refused' && before !== null && byOwner) this.#mark.run(before, strategy, kuid);
      done(outcome !== 'absent' && !(outcome === 'refused' && byOwner) && before !== null);
      throw error;
    }
    this.#remove.run(strategy, kuid);
    done(false);
    return result;
  }

  /**
   * Runs `settle` (the settler's work, which awaits plugins) with a check of
   * whether the kernel's own create or delete of a (strategy, kuid) ran
   * meanwhile: the settler then leaves that row to the call (or the next pass).
   */
  async watch<T>(settle: (touched: Touched) => Promise<T>): Promise<T> {
    const touched = new Set<string>();
    this.#watches.add(touched);
    try {
      return await settle((strategy, kuid) => touched.has(keyOf(strategy, kuid)) || this.#inFlight.has(keyOf(strategy, kuid)));
    } finally {
      this.#watches.delete(touched);
    }
  }

  /** Rows left `creating` or `deleting` by a crash or a call of unknown outcome, none in flight. */
  settleable(): HolderRow[] {
    return this.unsettled().filter((row) => !this.#inFlight.has(keyOf(row.strategy, row.kuid)));
  }

  /** Records a call in flight; the function returned ends it (`unsettled`: it left its row for the settler). */
  #enter(strategy: string, kuid: string): (unsettled: boolean) => void {
    const key = keyOf(strategy, kuid);
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    for (const touched of this.#watches) touched.add(key);
    return (unsettled) => {
      const left = this.#inFlight.get(key)! - 1;
      if (left === 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
      if (unsettled) this.onUnsettled();
    };
  }

  /**
   * Creates a user (`create`, the user store's insert) enrolled in
   * `strategy`, in one transaction: the host's `users.create` for plugins
   * that create users on first login. Only a new user can be enrolled this way.
   */
  enrollNewUser(strategy: string, create: () => UserRecord): UserRecord {
    return this.#db.transaction(() => {
      const user = create();
      this.#enroll.run(strategy, user._id);
      return user;
    })();
  }

  /** Rows left `creating` or `deleting` (by a crash), for boot to settle. */
  unsettled(): HolderRow[] {
    return this.#db.prepare<[], HolderRow>("SELECT strategy, kuid, state FROM credential_holders WHERE state <> 'held'").all();
  }

  /** Every row of `kuid`, whatever its state. */
  rowsOf(kuid: string): HolderRow[] {
    return this.#db.prepare<[string], HolderRow>('SELECT strategy, kuid, state FROM credential_holders WHERE kuid = ? ORDER BY strategy').all(kuid);
  }

  /** Removes a row (boot: a create that did not happen, a deletion finished). */
  forget(strategy: string, kuid: string): void {
    this.#remove.run(strategy, kuid);
  }

  /** Records `kuids` as holders in `strategy` (the backfill), those that still exist, in one transaction. */
  addHolders(strategy: string, kuids: readonly string[]): void {
    this.#db.transaction(() => {
      for (const kuid of kuids) this.#insertHeld.run(strategy, kuid, kuid);
    })();
  }

  /** The plugin whose `exists` filled the ledger for `strategy`, or null if not done yet. */
  backfilledBy(strategy: string): string | null {
    return this.#db.prepare<[string], string>('SELECT plugin FROM credential_ledger_state WHERE strategy = ?').pluck().get(strategy) ?? null;
  }

  /** Records that every user was asked about `strategy`, of `plugin`. */
  markBackfilled(strategy: string, plugin: string): void {
    this.#db.prepare('INSERT OR REPLACE INTO credential_ledger_state (strategy, plugin, completed_at) VALUES (?, ?, ?)').run(strategy, plugin, Date.now());
  }

  /** Forgets every row of `strategy` and its backfill: another plugin now serves it, and its answers alone count. */
  resetStrategy(strategy: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM credential_holders WHERE strategy = ?').run(strategy);
      this.#db.prepare('DELETE FROM credential_ledger_state WHERE strategy = ?').run(strategy);
    })();
  }
}

function keyOf(strategy: string, kuid: string): string {
  return `${strategy}\n${kuid}`;
}

/** What a failed plugin call says about what it wrote: nothing (refused, 4xx), that there was nothing (404), or unknown (5xx, or not a plugin's answer). */
function outcomeOf(error: unknown): 'refused' | 'absent' | 'unknown' {
  if (!(error instanceof PluginError) || error.status >= 500) return 'unknown';
  return error.status === 404 ? 'absent' : 'refused';
}
