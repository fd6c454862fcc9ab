/**
 * Usernames as stored and compared. NFKC folds look-alike forms (full-width
 * letters, ligatures) so "ａｄａ" and "ada" are one login; lower-casing makes
 * "Ada" and "ada" one login unless the deployment asks for case sensitivity.
 */
import { BadRequestError } from '@portcullis/sdk-plugin';

const MAX_USERNAME = 128;
/** Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned characters: invisible or ambiguous in a login. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;

export function normalizeUsername(username: unknown, caseSensitive: boolean): string {
  if (typeof username !== 'string' || username.length === 0) throw new BadRequestError('username must be a non-empty string');
  const normalized = username.normalize('NFKC');
  if (normalized.length > MAX_USERNAME) throw new BadRequestError(`username must be at most ${MAX_USERNAME} characters`);
  if (INVISIBLE.test(normalized)) throw new BadRequestError('username must not contain control, format or unassigned characters');
  return caseSensitive ? normalized : normalized.toLowerCase();
}
