/**
 * What every request goes through once parsed, whichever way it came:
 * take the `authToken` cookie as the token if there is one ->
 * authenticate the token -> authorize `controller:action` -> check input and
 * run the handler. Errors are thrown as PluginErrors; the HTTP layer turns
 * them into envelopes. The audit log sees refusals and the outcome of the
 * actions it records (audit/); any other request costs it one comparison.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import { recordDenial, runAudited } from '../audit/request-audit.js';
import { addressKey } from '../http/client-address.js';
import { authTokenCookie } from '../http/session-cookie.js';
import { ANONYMOUS_KUID, type Rights } from '../security/rights.js';
import { invalidToken } from '../tokens/invalid-token.js';
import { ErrorWithHeaders, retryAfter, type Action, type ApiRequest, type AuthenticatedRequest, type Caller } from './action.js';
import type { KernelServices } from './services.js';

// Frozen through and through, its profile list included: Rights remembers its decisions for frozen lists.
export const ANONYMOUS_USER: UserRecord = Object.freeze({ _id: ANONYMOUS_KUID, _source: Object.freeze({ profileIds: Object.freeze(['anonymous']) }) }) as UserRecord;


/**
 * The handler's result, or its promise when the handler is asynchronous:
 * a synchronous handler answers without any promise (see serve() in
 * http/app.ts). Authentication and rights errors are thrown at once.
 */
export function execute(action: Action, request: ApiRequest, services: KernelServices): unknown {
  if (request.cookies !== null) useCookieToken(request);
  const caller = authenticate(action, request, services);
  // The request is made for this one call: completed in place, as a spread would lose its getters (the HTTP layer's lazy headers).
  const authenticated = Object.assign(request, { caller });
  // The rules in force for the whole request (a role change builds new ones).
  const rights = services.rights;
  authorize(action, authenticated, rights, services);
  limitRate(action, authenticated, rights, services);
  useSingleUseToken(action, authenticated, services);
  if (action.audit === null) return action.run(authenticated, services);
  return runAudited(services.audit, action.audit, authenticated, () => action.run(authenticated, services));
}

/**
 * As Kuzzle: a request carrying an `authToken` cookie (cookie mode) is
 * authenticated by it, whatever the action; the cookie and another token
 * together are refused, there being no telling which the client meant.
 */
function useCookieToken(request: ApiRequest): void {
  const token = authTokenCookie(request.cookies!);
  if (token === null) return;
  if (request.jwt !== null) throw new PluginError('security.token.verification_error', 'Both token and cookie are present, could not decide which one to use');
  request.jwt = token;
}

/** The caller a token names; anonymous without one. Only looks: a single-use token is spent by useSingleUseToken. */
export function callerOf(jwt: string | null, services: KernelServices): Caller {
  if (jwt === null) return { user: ANONYMOUS_USER, token: null };
  const token = services.tokens.verify(jwt);
  const user = services.users.get(token.kuid);
  // Deleting a user deletes its tokens and API keys; this covers a row left by a crash between the two.
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

function authorize(action: Action, request: AuthenticatedRequest, rights: Rights, services: KernelServices): void {
  try {
    if (action.openBeforeFirstAdmin) {
      // Open to all until an admin exists; then closed to all, with Kuzzle's 412.
      if (services.users.adminExists()) throw new PluginError('api.process.admin_exists');
      return;
    }
    const { user } = request.caller;
    rights.assert(user._id, user._source.profileIds, action.controller, action.action);
  } catch (error) {
    recordDenial(services.audit, request, error);
    throw error;
  }
}

/**
 * A single-use token is spent by the request it gets through: one refused
 * for its rights or its rate leaves it usable. Actions that take a bad token
 * as none (login, checkToken) do not act as their caller: they leave it too.
 */
function useSingleUseToken(action: Action, request: AuthenticatedRequest, services: KernelServices): void {
  const { token } = request.caller;
  if (token?.singleUse === true && !action.tolerateBadToken) services.tokens.use(token);
}

/**
 * Profiles' rateLimit (0, the default, costs one remembered lookup).
 * Anonymous callers count per client address (an IPv6 one per /64). As Kuzzle, a user's logout is never
 * limited: a throttled user can still end their session.
 */
function limitRate(action: Action, request: AuthenticatedRequest, rights: Rights, services: KernelServices): void {
  const { user, token } = request.caller;
  const limit = rights.rateLimit(user._source.profileIds);
  if (limit === 0 || (token !== null && action.exemptFromRateLimit)) return;
  const caller = user._id === ANONYMOUS_KUID ? `ip ${request.ip === null ? 'unknown' : addressKey(request.ip)}` : user._id;
  // Counted per whole second: the next one starts within a second.
  if (!services.requestRate.admit(caller, limit)) throw new ErrorWithHeaders(retryAfter(1), 'api.process.too_many_requests');
}
