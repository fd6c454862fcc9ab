/**
 * The one error a bad token or API key gets: 401 `security.token.invalid`,
 * the id kuzzle-sdk listens for (`tokenExpired`); the message says why, and
 * so does the audit log.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { explained } from '../audit/audit-reasons.js';

export function invalidToken(reason: 'malformed' | 'expired' | 'revoked'): PluginError {
  const error = new PluginError('security.token.invalid');
  error.message = {
    malformed: 'Invalid token: not a token this server issued.',
    expired: 'Invalid token: it has expired.',
    revoked: 'Invalid token: it has been revoked.',
  }[reason];
  return explained(error, reason);
}
