/**
 * Searching the audit log: filters (each optional, all must hold) turned
 * into one parameterised query, newest first, and rows into Kuzzle-style
 * hits. Column names come from the fixed list below, never from input.
 */
import type { Statement } from 'better-sqlite3';
import type { KernelDb } from '../storage/kernel-db.js';

/** Filters on equality; `since` and `until` bound `at` (ms epoch, both included). */
export interface AuditFilters {
  type?: string;
  outcome?: string;
  kuid?: string;
  identifier?: string;
  ip?: string;
  strategy?: string;
  controller?: string;
  action?: string;
  target?: string;
  since?: number;
  until?: number;
}

export const EQUALITY_FILTERS = ['type', 'outcome', 'kuid', 'identifier', 'ip', 'strategy', 'controller', 'action', 'target'] as const;

export interface AuditRow {
  id: number;
  at: number;
  type: string;
  outcome: string;
  kuid: string | null;
  identifier: string | null;
  ip: string | null;
  strategy: string | null;
  controller: string | null;
  action: string | null;
  target: string | null;
  reason: string | null;
}

export interface AuditHit {
  _id: string;
  _source: Omit<AuditRow, 'id'>;
}

const COLUMNS = 'id, at, type, outcome, kuid, identifier, ip, strategy, controller, action, target, reason';

/** The page query (its last two parameters: size, then from) and the count query, with their parameters. */
export function searchStatements(db: KernelDb, filters: AuditFilters): { select: Statement; count: Statement; params: Array<string | number> } {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  for (const column of EQUALITY_FILTERS) {
    const value = filters[column];
    if (value === undefined) continue;
    conditions.push(`${column} = ?`);
    params.push(value);
  }
  if (filters.since !== undefined) {
    conditions.push('at >= ?');
    params.push(filters.since);
  }
  if (filters.until !== undefined) {
    conditions.push('at <= ?');
    params.push(filters.until);
  }
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  return {
    select: db.prepare(`SELECT ${COLUMNS} FROM audit_events${where} ORDER BY id DESC LIMIT ? OFFSET ?`),
    count: db.prepare(`SELECT COUNT(*) FROM audit_events${where}`).pluck(),
    params,
  };
}

export function auditHit({ id, ...source }: AuditRow): AuditHit {
  return { _id: String(id), _source: source };
}
