/**
 * What every request goes through once parsed, whichever way it came:
 * take the `authToken` cookie as the token if there is one ->
 * authenticate the token -> authorize `controller:action` -> check input and
 * run the handler. Errors are thrown as PluginErrors; the HTTP layer turns
 * them into envelopes.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import { authTokenCookie } from '../http/session-cookie.js';
import { ANONYMOUS_KUID } from '../security/rights.js';
import { invalidToken } from '../tokens/token-store.js';
import type { Action, ApiRequest, Caller } from './action.js';
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
  const caller = authenticate(action, request.jwt, services);
  authorize(action, caller, services);
  limitRate(request, caller, services);
  // The request is made for this one call: completed in place, as a spread would lose its getters (the HTTP layer's lazy headers).
  return action.run(Object.assign(request, { caller }), services);
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

/** The caller a token names; anonymous without one. `use`: false to look without using up a single-use token. */
export function callerOf(jwt: string | null, services: KernelServices, use = true): Caller {
  if (jwt === null) return { user: ANONYMOUS_USER, token: null };
  const token = services.tokens.verify(jwt, use);
  const user = services.users.get(token.kuid);
  // Deleting a user deletes its tokens and API keys; this covers a row left by a crash between the two.
  if (user === null) throw invalidToken('revoked');
  return { user, token };
}

function authenticate(action: Action, jwt: string | null, services: KernelServices): Caller {
  try {
    return callerOf(jwt, services);
  } catch (error) {
    const badToken = error instanceof PluginError && error.id === 'security.token.invalid';
    if (badToken && action.tolerateBadToken) return { user: ANONYMOUS_USER, token: null };
    throw error;
  }
}

/**
 * Profiles' rateLimit (0, the default, costs one remembered lookup).
 * Anonymous callers count per IP. As Kuzzle, a user's logout is never
 * limited: a throttled user can still end their session.
 */
function limitRate(request: ApiRequest, caller: Caller, services: KernelServices): void {
  const limit = services.rights.rateLimit(caller.user._source.profileIds);
  if (limit === 0) return;
  if (caller.token !== null && request.controller === 'auth' && request.action === 'logout') return;
  services.requestRate.admit(caller.user._id === ANONYMOUS_KUID ? `ip ${request.ip ?? 'unknown'}` : caller.user._id, limit);
}

function authorize(action: Action, caller: Caller, services: KernelServices): void {
  if (action.openBeforeFirstAdmin) {
    // Open to all until an admin exists; then closed to all, with Kuzzle's 412.
    if (services.users.adminExists()) throw new PluginError('api.process.admin_exists');
    return;
  }
  services.rights.assert({ _id: caller.user._id, profileIds: caller.user._source.profileIds }, action.controller, action.action);
}
