/**
 * Users whose creation has not finished: the user row and its mark in
 * `pending_creations` are written in one transaction, and the mark is
 * cleared, in one transaction with the ledger rows turning `held`, once
 * every credential exists. A crash in between (SIGKILL, power loss) leaves
 * the mark: boot (ledger-boot.ts) deletes the credentials the ledger says
 * were being created and the user, so a user either exists with all its
 * credentials or not at all. Meanwhile the user's ledger rows are
 * `creating`: nobody can log in as it.
 */
import type { Statement } from 'better-sqlite3';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import type { KernelDb } from '../storage/kernel-db.js';

export class CreationJournal {
  readonly #db: KernelDb;
  readonly #begin: Statement<[string, number]>;
  readonly #end: Statement<[string]>;
  readonly #isPending: Statement<[string], number>;
  /** Creations under way in this process: pending, but not for the settler to undo. */
  readonly #inFlight = new Set<string>();

  constructor(db: KernelDb) {
    this.#db = db;
    this.#begin = db.prepare('INSERT INTO pending_creations (kuid, started_at) VALUES (?, ?)');
    this.#end = db.prepare('DELETE FROM pending_creations WHERE kuid = ?');
    this.#isPending = db.prepare<[string], number>('SELECT 1 FROM pending_creations WHERE kuid = ?').pluck();
  }

  /** Runs `create` (the user store's insert) and marks the user pending, in one transaction. */
  begin(create: () => UserRecord): UserRecord {
    return this.#db.transaction(() => {
      const user = create();
      this.#begin.run(user._id, Date.now());
      this.#inFlight.add(user._id);
      return user;
    })();
  }

  /** The creation of `kuid` is over, finished or not (a mark left now is for the settler: ledger-boot.ts). */
  release(kuid: string): void {
    this.#inFlight.delete(kuid);
  }

  /**
   * Clears the mark and runs `confirm` (the ledger rows turned `held`) in one
   * transaction. False, with nothing done, if the mark was already gone: the
   * user was deleted while its credentials were being created.
   */
  finish(kuid: string, confirm: () => void): boolean {
    return this.#db.transaction(() => {
      if (this.#end.run(kuid).changes === 0) return false;
      confirm();
      return true;
    })();
  }

  /**
   * Refuses (412 `security.user.creation_pending`) a credentials write for a
   * user whose creation has not finished: the settler undoes an abandoned
   * creation with every credential of the user, so the write would be lost.
   */
  assertFinished(kuid: string): void {
    if (this.#isPending.get(kuid) !== undefined) throw new PluginError('security.user.creation_pending', kuid);
  }

  /** Users marked pending, the creations under way included. */
  pending(): string[] {
    return this.#db.prepare<[], string>('SELECT kuid FROM pending_creations ORDER BY started_at').pluck().all();
  }

  /** Users whose creation is over without finishing: a crash, or a rollback that could not delete credentials. */
  abandoned(): string[] {
    return this.pending().filter((kuid) => !this.#inFlight.has(kuid));
  }
}
