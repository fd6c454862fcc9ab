/**
 * Usernames as stored and compared. NFKC folds look-alike forms (full-width
 * letters, ligatures) so "ａｄａ" and "ada" are one login; lower-casing makes
 * "Ada" and "ada" one login unless the deployment asks for case sensitivity.
 */
import { BadRequestError } from '@portcullis/sdk-plugin';

const MAX_USERNAME = 128;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/u;

export function normalizeUsername(username: unknown, caseSensitive: boolean): string {
  if (typeof username !== 'string' || username.length === 0) throw new BadRequestError('username must be a non-empty string');
  const normalized = username.normalize('NFKC');
  if (normalized.length > MAX_USERNAME) throw new BadRequestError(`username must be at most ${MAX_USERNAME} characters`);
  if (CONTROL.test(normalized)) throw new BadRequestError('username must not contain control characters');
  return caseSensitive ? normalized : normalized.toLowerCase();
}
