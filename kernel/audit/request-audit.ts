/**
 * From API requests to audit events: the pipeline (api/pipeline.ts) runs
 * an audited action through {@link runAudited}, and reports a request
 * refused for its token or its rights through {@link recordDenial}. What is
 * read of a request is fixed here: the caller, the IP, the `strategy`,
 * `_id` and `userId` arguments, the body's `ids`, and for a login or an
 * anonymous caller the identifier given; never anything else of the body.
 */
import { Reply, type ApiRequest, type AuthenticatedRequest } from '../api/action.js';
import { boolArg } from '../api/input.js';
import { givenLoginIdentifier } from '../api/login-identifier.js';
import { ANONYMOUS_KUID } from '../security/rights.js';
import type { AuditEvent, AuditLog, AuditOutcome } from './audit-log.js';
import { auditReasonOf } from './audit-reasons.js';
import type { AuditType } from './audited-actions.js';

/**
 * Runs an audited action and records its outcome: at once when the handler
 * answers synchronously, when its promise settles otherwise. A redirect from
 * auth:login (a multi-step login going on) is not an outcome yet.
 */
export function runAudited(log: AuditLog, type: AuditType, request: AuthenticatedRequest, run: () => unknown): unknown {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    log.record(eventOf(type, request, 'failure', auditReasonOf(error)));
    throw error;
  }
  const succeeded = (value: unknown) => {
    // A reply with headers (cookie mode's Set-Cookie) is an outcome; a redirect (3xx) is a login still going on.
    if (!(value instanceof Reply)) log.record(eventOf(type, request, 'success', null, value));
    else if (value.status < 300 || value.status >= 400) log.record(eventOf(type, request, 'success', null, value.result));
    return value;
  };
  if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return succeeded(result);
  return Promise.resolve(result).then(succeeded, (error: unknown) => {
    log.record(eventOf(type, request, 'failure', auditReasonOf(error)));
    throw error;
  });
}

/** A request refused before its handler: a bad token (401), or rights (401 anonymous, 403 authenticated, 412 createFirstAdmin). */
export function recordDenial(log: AuditLog, request: ApiRequest & { caller?: AuthenticatedRequest['caller'] }, error: unknown): void {
  const kuid = request.caller?.user._id;
  log.record({
    type: 'rightsDenial',
    outcome: 'failure',
    kuid: kuid === ANONYMOUS_KUID ? null : kuid,
    ip: request.ip,
    controller: request.controller,
    action: request.action,
    target: targetOf(request, 'rightsDenial', undefined),
    reason: auditReasonOf(error),
  });
}

function eventOf(type: AuditType, request: AuthenticatedRequest, outcome: AuditOutcome, reason: string | null, result?: unknown): AuditEvent {
  const caller = request.caller.user._id;
  const anonymous = caller === ANONYMOUS_KUID;
  const login = type === 'login';
  return {
    // logout?global ends every session of the caller: a revocation, as security:revokeTokens.
    type: type === 'logout' && boolArg.safeParse(request.args.global).data === true ? 'tokenRevocation' : type,
    outcome,
    // A login acts for the user it logs in, whoever held the token it came with.
    kuid: login ? (outcome === 'success' ? idOf(result) : null) : anonymous ? null : caller,
    identifier: login || anonymous ? givenLoginIdentifier(request.body, request.args) : null,
    ip: request.ip,
    strategy: stringOf(request.args.strategy),
    controller: request.controller,
    action: request.action,
    target: targetOf(request, type, result),
    reason,
  };
}

/** Whom or what the action is about: `_id` or `userId`, the body's `ids`, or the id an admin change created. */
function targetOf(request: ApiRequest, type: AuditType, result: unknown): string | null {
  // Both for a user's API key (`/users/:userId/api-keys/:_id`): key ids are per user.
  const userId = stringOf(request.args.userId);
  const id = stringOf(request.args._id);
  if (userId !== null || id !== null) return userId !== null && id !== null ? `${userId}/${id}` : (userId ?? id);
  const ids = request.body?.ids;
  if (Array.isArray(ids)) return stringOf(ids.filter((id) => typeof id === 'string').join(','));
  return type === 'adminChange' ? idOf(result) : null;
}

function idOf(result: unknown): string | null {
  return typeof result === 'object' && result !== null ? stringOf((result as { _id?: unknown })._id) : null;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
