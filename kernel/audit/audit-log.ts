/**
 * The audit log: security events (logins, logouts, token revocations,
 * credential and admin changes, rights denials) as rows of the kernel
 * database's `audit_events` table, written synchronously as they happen and
 * searched by admins (security:searchAuditEvents).
 *
 * A row holds who (kuid, or the identifier a failed login gave), from where
 * (IP), what (type, controller:action, strategy, the target's id), the
 * outcome, and a reason: an error id, or a short reason a strategy gave.
 * Never a secret: no body, no result and no message is written, only these
 * fields, each cut to a bounded length.
 *
 * What keeps the table bounded: rows older than the retention are deleted;
 * failures, which anyone can cause without credentials, are written one by
 * one only within a {@link FailureBudget} (the rest are counted, in one
 * `auditOverflow` row a minute), and only the newest `maxFailures` of them
 * are kept. Successes need credentials (a bcrypt compare or an admin's
 * token each), so a flood cannot push them out.
 */
import type { Statement } from 'better-sqlite3';
import type { Logger } from '../log.js';
import type { KernelDb } from '../storage/kernel-db.js';
import type { AuditType } from './audited-actions.js';
import { auditHit, searchStatements, type AuditFilters, type AuditHit, type AuditRow } from './audit-query.js';
import { FailureBudget } from './failure-budget.js';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEvent {
  type: AuditType;
  outcome: AuditOutcome;
  /** Who acted: the caller's kuid (the new token's on a login), absent for anonymous. */
  kuid?: string | null;
  /** The login identifier an anonymous caller gave (username, email or login), never a password. */
  identifier?: string | null;
  ip?: string | null;
  strategy?: string | null;
  /** The API action, or the plugin for what a plugin did through the host. */
  controller?: string | null;
  action?: string | null;
  /** The id acted on (a user, a role...), when not the caller. */
  target?: string | null;
  /** An error id, or a short reason; never a message that could echo input. */
  reason?: string | null;
}

export interface AuditSettings {
  /** Rows older than this are deleted, ms. */
  retentionMs: number;
  /** Failure rows kept at most (the newest). */
  maxFailures: number;
  log: Logger;
  /** ms epoch; tests pass their own clock. */
  now?: () => number;
}

/** Longest stored value of each field: enough for any kuid, address or error id. */
const LIMITS = { kuid: 128, identifier: 256, ip: 64, strategy: 64, controller: 128, action: 64, target: 256, reason: 200 } as const;
const FIELDS = Object.keys(LIMITS) as Array<keyof typeof LIMITS>;
/**
 * 1000 failures at once, then 50 a second: far above what people mistyping
 * passwords cause. A write costs about 50 µs (measured, WAL), so a flood
 * costs at most 2.5 ms of CPU a second here, and at most 31,000 rows between
 * two sweeps (10 min), which a sweep deletes in about 100 ms.
 */
const FAILURE_BURST = 1000;
const FAILURE_RATE = 50;
/** Events also logged as a line when they succeed. */
const CHANGES: ReadonlySet<string> = new Set(['adminChange', 'credentialChange', 'tokenRevocation']);
/** Failures left out are written as one auditOverflow row at most this often. */
const OVERFLOW_EVERY_MS = 60_000;

export class AuditLog {
  readonly #settings: AuditSettings;
  readonly #now: () => number;
  readonly #db: KernelDb;
  readonly #insert: Statement<unknown[]>;
  readonly #deleteBefore: Statement<[number]>;
  readonly #deleteOldFailures: Statement<[number]>;
  readonly #budget: FailureBudget;
  #dropped = 0;
  #overflowAt = 0;

  constructor(db: KernelDb, settings: AuditSettings) {
    this.#db = db;
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
    this.#budget = new FailureBudget(FAILURE_BURST, FAILURE_RATE, this.#now());
    this.#insert = db.prepare(`INSERT INTO audit_events (at, type, outcome, ${FIELDS.join(', ')}) VALUES (${'?, '.repeat(FIELDS.length + 2)}?)`);
    this.#deleteBefore = db.prepare('DELETE FROM audit_events WHERE at < ?');
    // The newest maxFailures failures stay; ids grow with time. The index on outcome holds (outcome, id).
    this.#deleteOldFailures = db.prepare(
      "DELETE FROM audit_events WHERE outcome = 'failure' AND id <= (SELECT id FROM audit_events WHERE outcome = 'failure' ORDER BY id DESC LIMIT 1 OFFSET ?)",
    );
  }

  /** Writes one event, now. Never throws: a failed write is logged, and the request it records goes on. */
  record(event: AuditEvent): void {
    const now = this.#now();
    if (event.outcome === 'failure' && !this.#budget.take(now)) {
      this.#dropped += 1;
      this.#writeOverflow(now, false);
      return;
    }
    this.#write(now, event);
    // Changes also go to the operator's log (who changed what), as a line: the row is the record.
    if (event.outcome === 'success' && CHANGES.has(event.type)) {
      this.#settings.log.info({ by: event.kuid ?? 'anonymous', target: event.target ?? null, strategy: event.strategy ?? null }, `${event.controller ?? '?'}:${event.action ?? '?'}`);
    }
  }

  /** Admins' search: newest first, `total` counting every match. */
  search(filters: AuditFilters, from: number, size: number): { hits: AuditHit[]; total: number } {
    const { select, count, params } = searchStatements(this.#db, filters);
    const rows = select.all(...params, size, from) as AuditRow[];
    return { hits: rows.map(auditHit), total: count.get(...params) as number };
  }

  /** Deletes rows past the retention and failures past the cap; writes pending overflow. Answers rows deleted. */
  sweep(): number {
    const now = this.#now();
    this.#writeOverflow(now, true);
    const expired = this.#deleteBefore.run(now - this.#settings.retentionMs).changes;
    return expired + this.#deleteOldFailures.run(this.#settings.maxFailures).changes;
  }

  #writeOverflow(now: number, force: boolean): void {
    if (this.#dropped === 0 || (!force && now - this.#overflowAt < OVERFLOW_EVERY_MS)) return;
    this.#write(now, { type: 'auditOverflow', outcome: 'failure', reason: `${this.#dropped} failure events not recorded (flood)` });
    this.#dropped = 0;
    this.#overflowAt = now;
  }

  #write(now: number, event: AuditEvent): void {
    try {
      this.#insert.run(now, event.type, event.outcome, ...FIELDS.map((field) => bounded(event[field], LIMITS[field])));
    } catch (error) {
      // The code only (SQLITE_FULL...): the event's fields stay out of the log.
      this.#settings.log.error({ code: (error as { code?: unknown }).code, type: event.type }, 'an audit event could not be written');
    }
  }
}

function bounded(value: string | null | undefined, limit: number): string | null {
  if (value === undefined || value === null) return null;
  return value.length > limit ? value.slice(0, limit) : value;
}
