/**
 * What every request goes through once parsed, whichever way it came:
 * authenticate the token -> authorize `controller:action` -> check input and
 * run the handler. Errors are thrown as PluginErrors; the HTTP layer turns
 * them into envelopes. The audit log sees refusals and the outcome of the
 * actions it records (audit/); any other request costs it one comparison.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import { recordDenial, runAudited } from '../audit/request-audit.js';
import { ANONYMOUS_KUID } from '../security/rights.js';
import { invalidToken } from '../tokens/token-store.js';
import type { Action, ApiRequest, AuthenticatedRequest, Caller } from './action.js';
import type { KernelServices } from './services.js';

// Frozen through and through, its profile list included: Rights remembers its decisions for frozen lists.
export const ANONYMOUS_USER: UserRecord = Object.freeze({ _id: ANONYMOUS_KUID, _source: Object.freeze({ profileIds: Object.freeze(['anonymous']) }) }) as UserRecord;


/**
 * The handler's result, or its promise when the handler is asynchronous:
 * a synchronous handler answers without any promise (see serve() in
 * http/app.ts). Authentication and rights errors are thrown at once.
 */
export function execute(action: Action, request: ApiRequest, services: KernelServices): unknown {
  const caller = authenticate(action, request, services);
  // The request is made for this one call: completed in place, as a spread would lose its getters (the HTTP layer's lazy headers).
  const authenticated = Object.assign(request, { caller });
  authorize(action, authenticated, services);
  if (action.audit === null) return action.run(authenticated, services);
  return runAudited(services.audit, action.audit, authenticated, () => action.run(authenticated, services));
}

/** The caller a token names; anonymous without one. */
export function callerOf(jwt: string | null, services: KernelServices): Caller {
  if (jwt === null) return { user: ANONYMOUS_USER, token: null };
  const token = services.tokens.verify(jwt);
  const user = services.users.get(token.kuid);
  // Deleting a user deletes its tokens; this covers a row left by a crash between the two.
  if (user === null) throw invalidToken('revoked');
  return { user, token };
}

function authenticate(action: Action, request: ApiRequest, services: KernelServices): Caller {
  try {
    return callerOf(request.jwt, services);
  } catch (error) {
    const badToken = error instanceof PluginError && error.id === 'security.token.invalid';
    if (badToken && action.tolerateBadToken) return { user: ANONYMOUS_USER, token: null };
    recordDenial(services.audit, request, error);
    throw error;
  }
}

function authorize(action: Action, request: AuthenticatedRequest, services: KernelServices): void {
  try {
    if (action.openBeforeFirstAdmin) {
      // Open to all until an admin exists; then closed to all, with Kuzzle's 412.
      if (services.users.adminExists()) throw new PluginError('api.process.admin_exists');
      return;
    }
    const { user } = request.caller;
    services.rights.assert({ _id: user._id, profileIds: user._source.profileIds }, action.controller, action.action);
  } catch (error) {
    recordDenial(services.audit, request, error);
    throw error;
  }
}
