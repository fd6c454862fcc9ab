/**
 * What a failure talking to a provider means for the client: the provider
 * unreachable or broken is 503 `plugin.custom.service_unavailable` (the
 * gateway's fault, not the user's; Kuzzle's catalogue has no 502), the
 * provider refusing the code or an ID token failing validation is 401
 * `plugin.custom.unauthorized`. The provider refusing the plugin's own
 * client credentials (`invalid_client`) is a misconfiguration: 503 too,
 * and a warning in the log naming the provider. Messages carry only codes
 * this module recognises, never the provider's free text, a token or a
 * secret.
 */
import { PluginError, ServiceUnavailableError, UnauthorizedError, type PluginLogger } from '@portcullis/sdk-plugin';

/** An OAuth error code as RFC 6749 defines them (`access_denied`, `invalid_grant`): shown only if it looks like one. */
export function safeErrorCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z][a-z0-9_.-]{0,63}$/i.test(value) ? value : 'unknown_error';
}

/** openid-client's codes for an ID token or response that failed a check. */
const VALIDATION_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED',
  'OAUTH_PARSE_ERROR',
  'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
  // An ID token whose algorithm or key the runtime cannot verify with (an HS256 token, a key of another type).
  'OAUTH_UNSUPPORTED_OPERATION',
  'OAUTH_DECRYPTION_FAILED',
]);
/**
 * The provider answered, but not as an OAuth server should (a 5xx page, HTML), challenged
 * a request (WWW-Authenticate) for another reason than the client credentials, or named
 * endpoints the plugin may not call (http:// without allowInsecureHttp): the deployment's
 * fault, not the user's.
 */
const BROKEN_CODES = new Set([
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_INVALID_SERVER_METADATA',
  'OAUTH_MISSING_SERVER_METADATA',
  'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
  'OAUTH_HTTP_REQUEST_FORBIDDEN',
  'OAUTH_REQUEST_PROTOCOL_FORBIDDEN',
  'OAUTH_JWT_USERINFO_EXPECTED',
]);

/** The claims whose check can be named to the client: the name only, never the values compared. */
const NAMED_CLAIMS = new Set(['iss', 'aud', 'azp', 'nonce', 'exp', 'iat', 'nbf', 'auth_time', 'sub']);

/** The claim an openid-client comparison failed on (its cause, or the cause's cause), if one of NAMED_CLAIMS. */
function checkedClaim(error: CodedError): string | null {
  for (let cause = error.cause, depth = 0; typeof cause === 'object' && cause !== null && depth < 3; cause = (cause as CodedError).cause, depth++) {
    const { claim } = cause as { claim?: unknown };
    if (typeof claim === 'string' && NAMED_CLAIMS.has(claim)) return `"${claim}" claim`;
  }
  return null;
}

/**
 * Whether the provider refused the plugin's client credentials: RFC 6749's `invalid_client`,
 * in the error body (client_secret_post) or in a WWW-Authenticate challenge (client_secret_basic).
 */
function refusedClient(error: CodedError): boolean {
  if (error.code === 'OAUTH_RESPONSE_BODY_ERROR') return error.error === 'invalid_client';
  if (error.code !== 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' || !Array.isArray(error.cause)) return false;
  return error.cause.some((challenge: { parameters?: { error?: unknown } }) => challenge.parameters?.error === 'invalid_client');
}

/** Who a failure concerns: the strategy, and the provider named in the warning of a misconfiguration. */
export interface FailureSource {
  strategy: string;
  name: string;
  issuer: string;
}

interface CodedError {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  error?: unknown;
  cause?: unknown;
}

/** The error a provider call failed with, as the plugin throws it; a misconfiguration is also logged, as a warning. */
export function providerFailure(error: unknown, source: FailureSource, log: PluginLogger): Error {
  if (error instanceof PluginError) return error;
  const { strategy } = source;
  const coded = (typeof error === 'object' && error !== null ? error : {}) as CodedError;
  if (refusedClient(coded)) {
    // The deployment's fault, not the user's: their login is not what failed. The secret is named by field only.
    log.warn(`strategy "${strategy}": provider "${source.name}" (${source.issuer}) refused the plugin's client credentials (invalid_client): check its clientId and clientSecret in plugins.json`);
    return new ServiceUnavailableError(`logins through strategy "${strategy}" are unavailable: the identity provider refused this server's client credentials (invalid_client), which an administrator must fix`);
  }
  const unreachable = () => new ServiceUnavailableError(`the identity provider of strategy "${strategy}" is unreachable: try again later`);
  const broken = () => new ServiceUnavailableError(`the identity provider of strategy "${strategy}" answered unexpectedly: try again later`);
  // fetch's network failures (refused, reset, DNS) are TypeErrors; its deadline is a TimeoutError.
  if (error instanceof TypeError || coded.name === 'TimeoutError' || coded.name === 'AbortError') return unreachable();
  // The same, as openid-client reports them (its `timeout` is an AbortSignal).
  if (coded.code === 'OAUTH_TIMEOUT' || coded.code === 'OAUTH_ABORT') return unreachable();
  if (coded.code === 'OAUTH_RESPONSE_BODY_ERROR') {
    // An OAuth error body (invalid_grant for a code used twice, issued to another client or expired).
    if (typeof coded.status === 'number' && coded.status >= 500) return broken();
    return new UnauthorizedError(`the identity provider refused the login (${safeErrorCode(coded.error)}): start again`);
  }
  if (typeof coded.code === 'string' && BROKEN_CODES.has(coded.code)) return broken();
  if (typeof coded.code === 'string' && VALIDATION_CODES.has(coded.code)) {
    const check = checkedClaim(coded);
    return new UnauthorizedError(`the identity provider's answer failed validation (${check ?? 'ID token issuer, audience, nonce, signature or expiry'}): start again`);
  }
  if (error instanceof Error && error.message === 'no ID token') return new UnauthorizedError('the identity provider sent no ID token: start again');
  // Anything else is a fault of ours: the runtime logs its stack under a reference, the client gets a 500.
  return error instanceof Error ? error : new Error('provider call failed');
}
