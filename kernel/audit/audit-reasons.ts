/**
 * Detail about a failure meant for the audit log only: why a token was
 * refused (expired, revoked, malformed), why a strategy failed a login
 * (unknown user, wrong password...). Clients get one answer whatever the
 * reason (STYLE.md practice 4); the reason rides beside the error here,
 * never in it, so nothing that serialises the error can show it.
 *
 * @example
 * ```ts
 * throw explained(new PluginError('plugin.strategy.missing_user', message), 'unknown user');
 * ```
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

const reasons = new WeakMap<object, string>();
/** A strategy's reason is its own text: kept short, and a reason, not a message. */
export const MAX_REASON = 64;

/** Attaches `reason` (cut to {@link MAX_REASON}) to `error` for the audit log; answers the error. */
export function explained<E extends Error>(error: E, reason: string | undefined): E {
  if (reason !== undefined && reason !== '') reasons.set(error, reason.slice(0, MAX_REASON));
  return error;
}

/** What the audit log keeps of a failure: the error id, and the reason if one was attached. */
export function auditReasonOf(error: unknown): string {
  // As the envelope answers an error that is not a PluginError.
  const id = error instanceof PluginError ? error.id : 'core.fatal.unexpected_error';
  const reason = typeof error === 'object' && error !== null ? reasons.get(error) : undefined;
  return reason === undefined ? id : `${id} (${reason})`;
}
