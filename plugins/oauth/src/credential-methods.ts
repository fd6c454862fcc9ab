/**
 * Kuzzle's credentials methods for a provider identity. A create or update
 * links an identity to a user the kernel is enrolling: the kernel proves
 * who the user is (the caller's own kuid for auth:createMyCredentials, an
 * admin's rights for security:createCredentials); the credentials prove the
 * identity:
 *
 * - `{code, state}` (auth:*MyCredentials): the callback of a link attempt the
 *   same user started (`intent=link` with their token); the code is
 *   exchanged and its ID token validated as in a login;
 * - `{confirmLink: true, linkSecret}` (auth:*MyCredentials, `linking:
 *   "verifiedEmail"`): the pending link the secret names (answered once to
 *   the browser that completed the provider login), if its provider-verified
 *   email is also the user's own;
 * - `{subject, email?}` (security:createCredentials, updateCredentials,
 *   validateCredentials, createUser, upsertUser: an admin): the identity as
 *   named, as an admin may set any credentials. Any other action (Kuzzle's
 *   self-registration createRestrictedUser, createFirstAdmin) is a 403.
 *
 * What a client sees (create, update, getInfo, getById): provider, subject,
 * email. Never a token: the plugin keeps none.
 */
import { BadRequestError, ForbiddenError, NotFoundError, type JsonObject, type RequestContext } from '@portcullis/sdk-plugin';
import { contentString, type Identity } from './claims.js';
import type { StoredIdentity } from './identities.js';
import { isAttempt } from './login-attempts.js';
import { callbackInput, refused, type FlowParts, type LoginFlow } from './login-flow.js';
import { LINK_SECRET } from './pending-links.js';

const PROOFS = ['code', 'state', 'iss', 'confirmLink', 'linkSecret', 'subject', 'email'];

/** auth:*MyCredentials: users acting on their own credentials. */
const SELF_SERVICE = new Set(['createMyCredentials', 'updateMyCredentials', 'validateMyCredentials']);
/**
 * The security actions whose rights are an administrator's: they may name a subject. Not
 * createRestrictedUser (self-registration, possibly open to anonymous) nor createFirstAdmin
 * (open to anyone until an admin exists): a subject named there would pre-claim someone's identity.
 */
const ADMIN = new Set(['createCredentials', 'updateCredentials', 'validateCredentials', 'createUser', 'upsertUser']);

/** Who is asking: a user on their own credentials, an administrator, or an action that may link no identity. */
function callerOf(request: RequestContext): 'self' | 'admin' {
  if (request.controller === 'auth' && SELF_SERVICE.has(request.action)) return 'self';
  if (request.controller === 'security' && ADMIN.has(request.action)) return 'admin';
  throw new ForbiddenError(`${request.controller}:${request.action} cannot link a provider identity: an administrator links one with security:createCredentials, a user with auth:createMyCredentials`);
}

export class CredentialMethods {
  constructor(
    private readonly parts: FlowParts,
    private readonly flow: LoginFlow,
  ) {}

  /** Checks the shape of a proof without using anything up (the kernel calls create or update next). */
  async validate(request: RequestContext, credentials: JsonObject, strategy: string): Promise<void> {
    const unknown = Object.keys(credentials).find((field) => !PROOFS.includes(field));
    if (unknown !== undefined) throw new BadRequestError(`unknown credential field "${unknown}"`);
    const proof = this.#proofKind(request, credentials, strategy);
    if (proof === 'callback') {
      const input = callbackInput({ body: credentials, query: {}, headers: {}, ip: null, original: request });
      if (input?.state === undefined || input.code === undefined) throw new BadRequestError('give the "code" and "state" of your link attempt');
    }
  }

  async create(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
    return this.#link(request, credentials, kuid, strategy, false);
  }

  async update(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
    if ((await this.parts.identities.ofUser(strategy, kuid)) === null) throw new NotFoundError(`this user has no ${strategy} identity`);
    return this.#link(request, credentials, kuid, strategy, true);
  }

  /** Unlinks: the identity logs in no one any more (a later login is a first login again). */
  async delete(request: RequestContext, kuid: string, strategy: string): Promise<void> {
    if (!(await this.parts.identities.unlink(strategy, kuid))) throw new NotFoundError(`this user has no ${strategy} identity`);
    // What the identity allowed ends with it; users unlinking their own keep the session they did it from.
    await this.parts.context.users.revokeTokens(kuid, request.userId === kuid ? request.tokenId : null);
  }

  async exists(kuid: string, strategy: string): Promise<boolean> {
    return (await this.parts.identities.ofUser(strategy, kuid)) !== null;
  }

  async getInfo(kuid: string, strategy: string): Promise<JsonObject> {
    const stored = await this.parts.identities.ofUser(strategy, kuid);
    return stored === null ? {} : this.#shown(stored);
  }

  async getById(subject: string, strategy: string): Promise<JsonObject> {
    const stored = await this.parts.identities.bySubject(strategy, subject);
    if (stored === null) throw new NotFoundError(`no ${strategy} identity with subject "${subject}"`);
    return { ...this.#shown(stored), kuid: stored.kuid };
  }

  async #link(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string, replacing: boolean): Promise<JsonObject> {
    await this.validate(request, credentials, strategy);
    const identity = await this.#provenIdentity(request, credentials, kuid, strategy);
    const stored = await this.parts.identities.link(strategy, identity, kuid, replacing);
    this.parts.context.log.info(`strategy "${strategy}": identity linked to user "${kuid}"`);
    return this.#shown(stored);
  }

  #proofKind(request: RequestContext, credentials: JsonObject, strategy: string): 'callback' | 'pending' | 'admin' {
    if (callerOf(request) === 'admin') {
      if (typeof credentials.subject !== 'string' || credentials.subject.length === 0 || credentials.subject.length > 255) {
        throw new BadRequestError('an administrator links an identity by its "subject" (1 to 255 characters)');
      }
      if (credentials.email !== undefined && (typeof credentials.email !== 'string' || credentials.email.length > 320)) throw new BadRequestError('"email" must be a string');
      return 'admin';
    }
    if (credentials.subject !== undefined || credentials.email !== undefined) {
      throw new ForbiddenError('only an administrator may name an identity: link yours by logging in with the provider (intent=link)');
    }
    if (credentials.confirmLink === true) {
      if (this.parts.provider(strategy).settings.linking !== 'verifiedEmail') throw new ForbiddenError(`strategy "${strategy}" links no identity by email`);
      // The proof of the provider login: without it, anyone who set the same email on their account could confirm.
      if (typeof credentials.linkSecret !== 'string' || !LINK_SECRET.test(credentials.linkSecret)) {
        throw new ForbiddenError('confirm a pending link with the "linkSecret" your provider login answered');
      }
      return 'pending';
    }
    if (credentials.confirmLink !== undefined) throw new BadRequestError('"confirmLink" must be true');
    if (credentials.linkSecret !== undefined) throw new BadRequestError('"linkSecret" goes with "confirmLink": true');
    return 'callback';
  }

  async #provenIdentity(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<Identity> {
    switch (this.#proofKind(request, credentials, strategy)) {
      case 'admin': {
        const email = (credentials.email as string | undefined) ?? null;
        return { subject: credentials.subject as string, issuer: this.parts.provider(strategy).settings.issuer, email, emailVerified: false, content: {} };
      }
      case 'pending': {
        const user = await this.parts.context.users.get(kuid);
        const field = this.parts.provider(strategy).settings.emailField;
        const email = user === null ? null : contentString(user._source, field);
        if (email === null) throw new ForbiddenError(`your account has no "${field}" to match a pending link with`);
        // The secret finds the offer; take() also checks that the offer was made for this user's email.
        return this.parts.pending.take(strategy, credentials.linkSecret as string, email);
      }
      case 'callback': {
        const input = callbackInput({ body: credentials, query: {}, headers: {}, ip: null, original: request });
        const attempt = await this.parts.attempts.consume(input?.state as string, strategy);
        if (!isAttempt(attempt)) throw refused(attempt);
        // A link attempt names the user who started it: nobody else's code can be linked to this account.
        if (attempt.intent !== 'link' || attempt.kuid !== kuid) throw new ForbiddenError('this login attempt was not started by you to link an identity (intent=link)');
        return this.flow.identify(strategy, input ?? {}, attempt);
      }
    }
  }

  #shown(stored: StoredIdentity): JsonObject {
    const provider = this.parts.provider(stored.strategy).settings;
    return { provider: provider.name, issuer: stored.issuer, subject: stored.subject, email: stored.email };
  }
}
