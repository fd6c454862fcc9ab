/**
 * Checking a password someone types. A login and a self-service password
 * change check a username and password the same way, here: the attempt is
 * counted against the account first (lockout), then exactly one bcrypt
 * compare runs, against the user's hash or a dummy one for an unknown or
 * malformed username, so neither the answer nor the time tells whether a
 * user exists.
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError, TooManyRequestsError, type PluginContext } from '@portcullis/sdk-plugin';
import type { LocalConfig } from './config.js';
import type { CredentialStore, CredentialsDocument } from './credential-store.js';
import type { StoredCredentials } from './credentials.js';
import type { LoginThrottle } from './login-throttle.js';
import { normalizeUsername } from './usernames.js';

/** The host refuses longer input; a longer "password" is a failed check, hashed like any. */
const MAX_PASSWORD = 4096;

/** What a successful check proves: the user's credentials, and the password as compared (NFKC). */
export interface ProvenCredentials {
  stored: CredentialsDocument;
  password: string;
}

/** Why a check failed, for the kernel's audit log only: callers answer every failure alike. */
export interface FailedCheck {
  failure: 'malformed username' | 'unknown user' | 'malformed password' | 'wrong password';
}

export class PasswordCheck {
  private constructor(
    private readonly context: PluginContext,
    private readonly config: LocalConfig,
    private readonly credentials: CredentialStore,
    private readonly throttle: LoginThrottle,
    private readonly dummyHash: Promise<string>,
  ) {}

  static async create(context: PluginContext, config: LocalConfig, credentials: CredentialStore, throttle: LoginThrottle): Promise<PasswordCheck> {
    // A cost the kernel refuses stops the plugin at boot, not at the first
    // login: the host checks the cost of any needsRehash without hashing.
    await context.password.needsRehash('', config.cost);
    // Unknown usernames are checked against this, so they cost one bcrypt
    // compare like a known one. It is hashed while the plugin already serves:
    // awaited at init it held every boot up by one hash (about 250 ms at cost
    // 12, a third of the kernel's start; bench/coldstart). Only an unknown
    // username tried in the first moments after boot waits for it.
    const dummyHash = context.password.hash(randomBytes(24).toString('base64'), config.cost);
    // Awaited at each use; this keeps a failure from being an unhandled rejection meanwhile.
    dummyHash.catch(() => undefined);
    return new PasswordCheck(context, config, credentials, throttle, dummyHash);
  }

  /**
   * The credentials `username` and `password` prove, or why not (unknown
   * user, wrong or malformed input): the caller answers every failure alike,
   * and only the audit log gets the reason. A success clears the account's failure count.
   *
   * @throws TooManyRequestsError (429) past `lockout.maxFailures` for this username, existing or not, without hashing.
   */
  async login(username: unknown, password: unknown): Promise<ProvenCredentials | FailedCheck> {
    const name = this.#loginName(username);
    // Both at once: two host calls whose answers come back together wake this thread once.
    const [wait, stored] = name === null ? [0, null] : await Promise.all([this.throttle.admit(name), this.credentials.byUsername(name)]);
    if (wait > 0) throw new TooManyRequestsError(`too many failed logins for this account: retry in ${Math.ceil(wait / 1000)} s`);
    const candidate = typeof password === 'string' ? password.normalize('NFKC') : '';
    const usable = candidate.length > 0 && candidate.length <= MAX_PASSWORD;
    // Exactly one bcrypt compare on every path (malformed input included):
    // against the user's hash, or the dummy.
    const matches = await this.context.password.verify(usable ? candidate : 'an unusable password', stored?._source.hash ?? (await this.dummyHash));
    if (name === null) return { failure: 'malformed username' };
    if (stored === null) return { failure: 'unknown user' };
    if (!usable || !matches) return { failure: usable ? 'wrong password' : 'malformed password' };
    await this.throttle.clear(name);
    return { stored, password: candidate };
  }

  /** `requirePassword`: the current password of a known user, throttled under the same account as logins. */
  async currentPassword(current: unknown, stored: StoredCredentials): Promise<void> {
    if (typeof current !== 'string' || current.length === 0 || current.length > MAX_PASSWORD) {
      throw new BadRequestError('currentPassword is required to change these credentials');
    }
    const wait = await this.throttle.admit(stored.username);
    if (wait > 0) throw new TooManyRequestsError(`too many wrong passwords for this account: retry in ${Math.ceil(wait / 1000)} s`);
    if (!(await this.context.password.verify(current.normalize('NFKC'), stored.hash))) throw new BadRequestError('currentPassword is wrong');
    await this.throttle.clear(stored.username);
  }

  /** The normalized username of an attempt, or null if it cannot be one. */
  #loginName(username: unknown): string | null {
    try {
      return normalizeUsername(username, this.config.caseSensitiveUsernames);
    } catch {
      return null;
    }
  }
}
