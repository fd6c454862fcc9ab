/**
 * What a plugin sees of a request (protocol RequestContext / LoginRequest):
 * no token, no cookie, and the caller as a kuid, never more.
 */
import type { JsonObject, LoginRequest, RequestContext } from '@portcullis/sdk-plugin/protocol';
import { ANONYMOUS_KUID } from '../security/rights.js';
import type { AuthenticatedRequest } from './action.js';

export function pluginRequest(request: AuthenticatedRequest): RequestContext {
  const kuid = request.caller.user._id;
  const token = request.caller.token;
  return {
    requestId: request.requestId,
    controller: request.controller,
    action: request.action,
    userId: kuid === ANONYMOUS_KUID ? null : kuid,
    // A token's id (revokeTokens keeps it); none for an API key, whose handle is its fingerprint and stays here.
    tokenId: token !== null && token.kind === 'token' ? token.jti : null,
    args: request.args,
    ip: request.ip,
  };
}

/** The request a passport strategy authenticates: body, query, headers (the session's removed). */
export function loginRequest(request: AuthenticatedRequest): LoginRequest {
  const query: JsonObject = {};
  for (const [name, value] of Object.entries(request.args)) if (name !== 'strategy' && name !== 'expiresIn') query[name] = value;
  return { body: request.body ?? {}, query, headers: request.headers, ip: request.ip, original: pluginRequest(request) };
}
