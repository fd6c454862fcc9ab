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
/** Usernames read to tell how a namespace from before the record stored them: one search, bounded at boot. */
const SAMPLE = 1000;

/**
 * Refuses to start when `caseSensitiveUsernames` differs from what this
 * namespace's usernames were stored with. Flipping it would strand users
 * silently: stored "Ada" is never found by a lower-cased lookup, and a
 * stored "ada" no longer answers to "Ada"; two users could also come to
 * share a name. The plugin then fails at boot, its error naming the option,
 * and nothing is changed. The mode is recorded at the first start with this
 * check; a namespace from before it that holds a username with capitals
 * (among the first SAMPLE) was case-sensitive. With no usernames stored,
 * any value goes (and is recorded).
 */
export async function checkUsernameMode(
  records: Pick<Repository, 'get' | 'createOrReplace'>,
  credentials: Pick<Repository, 'count' | 'search'>,
  caseSensitive: boolean,
): Promise<void> {
  const recorded = await records.get(USERNAMES_RECORD);
  if (recorded?._source.caseSensitive === caseSensitive) return;
  // With no username stored, any value strands no one. Without a record, only capitals tell the mode.
  if ((await credentials.count()) > 0) {
    const stored = recorded === null ? (await withCapitals(credentials)) || null : recorded._source.caseSensitive === true;
    if (stored !== null && stored !== caseSensitive) {
      throw new Error(
        `config.caseSensitiveUsernames is ${caseSensitive}, but this namespace's usernames were stored ${stored ? 'case-sensitive' : 'lower-cased'} (caseSensitiveUsernames: ${stored}): ` +
          'changing it would leave users unable to log in; set it back',
      );
    }
  }
  // Threads of one plugin start together with one config: writing the same record twice is harmless.
  await records.createOrReplace(USERNAMES_RECORD, { caseSensitive });
}

/** True if a stored username has capitals (so they were kept: case-sensitive); false if none of the sample has. */
async function withCapitals(credentials: Pick<Repository, 'search'>): Promise<boolean> {
  const { hits } = await credentials.search({ size: SAMPLE });
  return hits.some(({ _source }) => typeof _source.username === 'string' && _source.username !== _source.username.toLowerCase());
}
