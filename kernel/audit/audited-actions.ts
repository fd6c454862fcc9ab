/**
 * Which API actions the audit log records, and as what. A short table of
 * named actions, plus one rule for the security controller: every action
 * that changes something (create*, update*, replace*, upsert*, delete*,
 * mDelete*, revoke*, restrict*) is an admin change, so security actions
 * added later (roles, profiles, API keys) are recorded without an entry
 * here. Reads are never recorded.
 */

/** The kinds of audit events, as stored and filtered on. */
export const AUDIT_TYPES = [
  'login',
  'logout',
  'tokenRevocation',
  'credentialChange',
  'rightsDenial',
  'adminChange',
  /** A plugin action its plugin did not declare as one of the above. */
  'pluginAction',
  /** Failure events left out under a flood, counted (audit-log.ts). */
  'auditOverflow',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

const NAMED: Readonly<Record<string, AuditType>> = {
  'auth:login': 'login',
  // `global` makes it a tokenRevocation (request-audit.ts): every session of the caller ends.
  'auth:logout': 'logout',
  'auth:createMyCredentials': 'credentialChange',
  'auth:updateMyCredentials': 'credentialChange',
  'auth:deleteMyCredentials': 'credentialChange',
  'security:createCredentials': 'credentialChange',
  'security:updateCredentials': 'credentialChange',
  'security:deleteCredentials': 'credentialChange',
  'security:revokeTokens': 'tokenRevocation',
  // API keys are long-lived credentials (the security controller's are admin changes, by the rule below).
  'auth:createApiKey': 'credentialChange',
  'auth:deleteApiKey': 'credentialChange',
};

/** A verb that changes something, then the thing: `createRole`, `mDeleteUsers`, `restrictDefaultRights`. */
const CHANGING = /^(create|update|replace|upsert|delete|mDelete|revoke|restrict)[A-Z]/;

/** What `controller:action` is recorded as; null when it is not recorded. Plugin actions are decided by their plugin. */
export function auditTypeOf(controller: string, action: string): AuditType | null {
  const name = `${controller}:${action}`;
  if (Object.hasOwn(NAMED, name)) return NAMED[name]!;
  return controller === 'security' && CHANGING.test(action) ? 'adminChange' : null;
}

/**
 * A plugin action's type from what its plugin declared (protocol `ActionAudit`):
 * `none` is not recorded; undeclared, or anything unknown (the isolate checks
 * the value, but a compromised one could send any), is a pluginAction.
 */
export function pluginActionAudit(declared: unknown): AuditType | null {
  if (declared === 'none') return null;
  return declared === 'credentialChange' || declared === 'adminChange' ? declared : 'pluginAction';
}
