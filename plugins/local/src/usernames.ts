/**
 * Usernames as stored and compared. NFKC folds look-alike forms (full-width
 * letters, ligatures) so "ａｄａ" and "ada" are one login; lower-casing makes
 * "Ada" and "ada" one login unless the deployment asks for case sensitivity.
 */
import { BadRequestError, type Repository } from '@portcullis/sdk-plugin';

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

/** Where the comparison a namespace's usernames were stored with is recorded. */
export const NAMESPACE_COLLECTION = 'namespace';
const USERNAMES_RECORD = 'usernames';

/**
 * Refuses to start when `caseSensitiveUsernames` differs from what this
 * namespace's usernames were stored with (recorded at the first start that
 * ran this check). Flipping it would strand users silently: stored "Ada" is
 * never found by a lower-cased lookup, and a stored "ada" no longer answers
 * to "Ada"; two users could also come to share a name. The plugin then fails
 * at boot, its error naming the option, and nothing is changed.
 */
export async function checkUsernameMode(records: Pick<Repository, 'get' | 'createOrReplace'>, caseSensitive: boolean): Promise<void> {
  const recorded = await records.get(USERNAMES_RECORD);
  // Threads of one plugin start together with one config: writing the same record twice is harmless.
  if (recorded === null) {
    await records.createOrReplace(USERNAMES_RECORD, { caseSensitive });
    return;
  }
  if (recorded._source.caseSensitive === caseSensitive) return;
  const was = recorded._source.caseSensitive === true;
  throw new Error(
    `config.caseSensitiveUsernames is ${caseSensitive}, but this namespace's usernames were stored ${was ? 'case-sensitive' : 'lower-cased'} (caseSensitiveUsernames: ${was}): ` +
      'changing it would leave users unable to log in; set it back',
  );
}
