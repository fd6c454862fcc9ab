/**
 * When the credential ledger is settled (ledger-boot.ts does one pass): at
 * boot before the kernel listens, then in the background while anything is
 * left (a strategy not backfilled, a row of unknown outcome, a user creation
 * to undo), so a plugin briefly down at boot, or one user's `exists`
 * failing, does not refuse that strategy's users until the next restart.
 * Background passes are retried after a delay doubling from `firstMs` to
 * `maxMs`, and at once when a plugin thread (re)starts; a call whose outcome
 * is unknown (a 5xx) asks for one. One pass at a time; timers are unref'd
 * and stopped at shutdown. `health()` says what is left, for /_healthCheck.
 */
import type { Logger } from '../log.js';
import { BackfillProgress } from './ledger-backfill.js';
import { settleCredentialLedger, type LedgerBootDeps } from './ledger-boot.js';

export interface LedgerRetry {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_LEDGER_RETRY: LedgerRetry = { firstMs: 1000, maxMs: 5 * 60_000 };

/** The ledger's part of /_healthCheck: counts and strategy names only. */
export interface LedgerHealth {
  /** `incomplete`: some users are refused until a pass completes (status yellow). */
  status: 'complete' | 'incomplete';
  /** Strategies whose backfill is not complete: their users not recorded yet are refused. */
  strategies: string[];
  /** Rows of unknown outcome and unfinished user creations left to settle. */
  unsettled: number;
  /** When the next pass is due, if one is scheduled. */
  retryInMs?: number;
}

export class LedgerSettlement {
  readonly #deps: LedgerBootDeps;
  readonly #retry: LedgerRetry;
  readonly #backfill: BackfillProgress;
  readonly #log: Logger;
  #delay: number;
  #timer: NodeJS.Timeout | null = null;
  #dueAt = 0;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(deps: LedgerBootDeps, retry: LedgerRetry = DEFAULT_LEDGER_RETRY) {
    this.#deps = deps;
    this.#retry = retry;
    this.#delay = retry.firstMs;
    this.#backfill = new BackfillProgress(deps);
    this.#log = deps.log;
    deps.ledger.onUnsettled = () => this.schedule();
  }

  /** Runs a pass now (or after the one under way); schedules the next if anything is left. */
  settle(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#clearTimer();
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await settleCredentialLedger(this.#deps, this.#backfill, () => this.#stopped);
        } catch (error) {
          // The kernel database closed under a pass at shutdown, or a bug: the next pass tries again.
          if (!this.#stopped) this.#log.error({ error: String(error) }, 'credential ledger settling pass failed');
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = null;
      this.#afterPass();
    });
    return this.#running;
  }

  /** A pass soon: at the current retry delay, unless one is due or under way already. */
  schedule(): void {
    if (this.#stopped || this.#timer !== null || this.#running !== null) return;
    this.#dueAt = Date.now() + this.#delay;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.settle();
    }, this.#delay).unref();
  }

  /** A plugin thread became ready: a plugin that was down may answer now. */
  pluginReady(): void {
    if (!this.#stopped && this.#left()) void this.settle();
  }

  health(): LedgerHealth {
    const strategies = this.#backfill.incomplete();
    const unsettled = this.#unsettled();
    if (strategies.length === 0 && unsettled === 0) return { status: 'complete', strategies, unsettled };
    return { status: 'incomplete', strategies, unsettled, ...(this.#timer === null ? {} : { retryInMs: Math.max(0, this.#dueAt - Date.now()) }) };
  }

  /** No pass from now on; resolves when the one under way (if any) has stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    await this.#running;
  }

  #afterPass(): void {
    if (this.#stopped) return;
    if (!this.#left()) {
      this.#delay = this.#retry.firstMs;
      return;
    }
    this.schedule();
    this.#delay = Math.min(this.#delay * 2, this.#retry.maxMs);
  }

  #left(): boolean {
    return this.#backfill.incomplete().length > 0 || this.#unsettled() > 0;
  }

  /** Rows a pass would settle now (of strategies that can be used), and creations to undo. */
  #unsettled(): number {
    const live = new Set(this.#deps.strategies.names());
    const pending = new Set(this.#deps.creations.pending());
    const rows = this.#deps.ledger.settleable().filter((row) => live.has(row.strategy) && !pending.has(row.kuid)).length;
    return rows + this.#deps.creations.abandoned().length;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
