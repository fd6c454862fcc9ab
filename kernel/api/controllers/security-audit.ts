/**
 * The security controller's audit log action: searchAuditEvents, for
 * admins (no standard role but `admin` grants security actions). Filters
 * are checked strictly: a misspelt filter is a 400, not a search that
 * silently matches every event.
 */
import * as z from 'zod';
import { AUDIT_TYPES } from '../../audit/audited-actions.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_RESULT_WINDOW } from '../../storage/store-query.js';
import { defineAction, type Action } from '../action.js';
import { intArg, stringArg } from '../input.js';

/** ms epoch, up to year 275760 (the largest Date). */
const instant = z.int({ error: 'a time in ms since the epoch' }).min(0).max(8.64e15);

const filters = z
  .strictObject({
    type: z.enum(AUDIT_TYPES, { error: `one of ${AUDIT_TYPES.join(', ')}` }),
    outcome: z.enum(['success', 'failure'], { error: 'success or failure' }),
    kuid: stringArg(128),
    identifier: stringArg(256),
    ip: stringArg(64),
    strategy: stringArg(64),
    controller: stringArg(128),
    action: stringArg(64),
    target: stringArg(256),
    since: instant,
    until: instant,
  })
  .partial();

export function securityAuditActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'searchAuditEvents',
      http: [{ verb: 'post', path: '/audit/_search' }],
      summary: 'Audit events (logins, logouts, revocations, credential and admin changes, denials), newest first: `{hits, total}`',
      // The bounds of every search (Kuzzle's): older events are reached with `until`, not a deeper `from`.
      args: z.object({ from: intArg(0, MAX_RESULT_WINDOW).default(0), size: intArg(0, MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE) }),
      body: filters.optional(),
      handler: ({ args, body }, services) => services.audit.search(body ?? {}, args.from, args.size),
    }),
  ];
}
