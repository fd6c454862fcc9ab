/**
 * The two steps of a login through `/_login/<strategy>`.
 *
 * 1. No `code`, `state` or `error`: a new login attempt, answered as a 302 to
 *    the provider's authorization URL (built from the configuration only:
 *    nothing the client sends chooses where it goes).
 * 2. The provider's callback, `code` and `state` (or `error`): the attempt is
 *    used up, the code exchanged with its PKCE verifier, the ID token
 *    validated, and the user found by the provider's subject; a first login
 *    creates it (host users.create, which enrolls it in this strategy, under
 *    the kuid reserved for the identity first: identities.ts), or,
 *    under `linking: "verifiedEmail"`, offers the identity to the user with
 *    that email (pending-links.ts).
 */
import { BadRequestError, PreconditionError, UnauthorizedError, type JsonObject, type LoginRequest, type PluginContext, type PluginError, type VerifyResult } from '@portcullis/sdk-plugin';
import { identityOf, type Identity } from './claims.js';
import type { Identities, StoredIdentity } from './identities.js';
import { isAttempt, type AttemptIntent, type AttemptRefusal, type LoginAttempt, type LoginAttempts } from './login-attempts.js';
import type { PendingLinks } from './pending-links.js';
import type { CallbackParams, ProviderClient } from './provider-client.js';
import { safeErrorCode } from './provider-errors.js';

/** What a callback carries, read from the query string (GET) or the body (POST), each a bounded string. */
export interface CallbackInput {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
}

const CALLBACK_FIELDS = { code: 4096, state: 512, iss: 2048, error: 256 } as const;

/** The callback's fields, or null for a first step (none of `code`, `state`, `error`). */
export function callbackInput(req: LoginRequest): CallbackInput | null {
  const input: CallbackInput = {};
  for (const [field, max] of Object.entries(CALLBACK_FIELDS) as Array<[keyof CallbackInput, number]>) {
    const value = req.query[field] ?? req.body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new BadRequestError(`"${field}" must be a string of 1 to ${max} characters`);
    input[field] = value;
  }
  return input.code === undefined && input.state === undefined && input.error === undefined ? null : input;
}

const REFUSALS: Record<AttemptRefusal, string> = {
  unknown: 'unknown or already used login state: start the login again',
  expired: 'this login attempt expired: start the login again',
  'other strategy': 'this login state belongs to another strategy: start the login again',
};

/** A state that cannot be used: 401 with what went wrong. */
export function refused(refusal: AttemptRefusal): UnauthorizedError {
  return new UnauthorizedError(REFUSALS[refusal]);
}

export interface FlowParts {
  context: PluginContext;
  attempts: LoginAttempts;
  identities: Identities;
  pending: PendingLinks;
  provider(strategy: string): ProviderClient;
}

export class LoginFlow {
  constructor(private readonly parts: FlowParts) {}

  /** Step 1: the provider's authorization URL for a new attempt. */
  async start(strategy: string, req: LoginRequest): Promise<string> {
    const provider = this.parts.provider(strategy);
    const intent = intentOf(req.query.intent ?? req.body.intent);
    // A link attempt is the signed-in caller's: only auth:createMyCredentials by that same user finishes it.
    const kuid = intent === 'link' ? req.original.userId : null;
    if (intent === 'link' && kuid === null) throw new UnauthorizedError('log in first to link an identity to your account (intent=link needs your token)');
    const attempt = this.parts.attempts.fresh(strategy, intent, kuid, req.ip);
    // Built before it is stored: a provider that cannot be reached leaves no attempt behind.
    const url = await provider.authorizationUrl(attempt);
    await this.parts.attempts.save(attempt);
    return url;
  }

  /** Step 2 through the login route: `{kuid}` logs the user in. */
  async callback(strategy: string, input: CallbackInput): Promise<VerifyResult> {
    const { attempts } = this.parts;
    if (input.error !== undefined) {
      // The provider's refusal ends the attempt; its free-text description is never shown.
      if (input.state !== undefined) await attempts.consume(input.state, strategy);
      throw new UnauthorizedError(`the identity provider refused the login (${safeErrorCode(input.error)})`);
    }
    if (input.state === undefined) throw new UnauthorizedError('the callback carries no state: start the login again');
    if (input.code === undefined) throw new BadRequestError('the callback carries no code');
    const peeked = await attempts.peek(input.state, strategy);
    if (isAttempt(peeked) && peeked.intent === 'link') {
      // Left for its user: the code is good once, and only auth:createMyCredentials binds it to them.
      throw new UnauthorizedError('this attempt links an identity to a signed-in user: send its code and state to auth:createMyCredentials');
    }
    const attempt = await attempts.consume(input.state, strategy);
    if (!isAttempt(attempt)) throw refused(attempt);
    const identity = await this.identify(strategy, input, attempt);
    return this.#logIn(strategy, identity, attempt.intent);
  }

  /** Exchanges the code of a used-up attempt: the provider's validated identity. */
  async identify(strategy: string, input: CallbackInput, attempt: LoginAttempt): Promise<Identity> {
    const provider = this.parts.provider(strategy);
    const params: CallbackParams = { code: input.code as string, state: attempt.state, ...(input.iss === undefined ? {} : { iss: input.iss }) };
    const claims = await provider.exchange(params, attempt);
    return identityOf(claims, provider.settings);
  }

  async #logIn(strategy: string, identity: Identity, intent: AttemptIntent): Promise<VerifyResult> {
    const { identities, pending } = this.parts;
    const settings = this.parts.provider(strategy).settings;
    const held = await identities.find(strategy, identity.subject);
    if (held !== null && held.pending !== true) return { kuid: held.kuid };
    // A reservation is a first login already begun (or cut short): it is finished, not offered.
    if (held === null && settings.linking === 'verifiedEmail' && identity.emailVerified && intent !== 'signup') {
      const secret = await pending.offer(strategy, identity);
      const signup = settings.createUsers ? '; to create a new account instead, log in again with intent=signup' : '';
      // The secret is answered once, here, to the browser that completed this provider login: it alone confirms the link.
      return {
        kuid: null,
        message: `no account is linked to this identity yet: if you have one, log in with it and confirm the link with auth:createMyCredentials (strategy "${strategy}", body {"confirmLink": true, "linkSecret": "${secret}"})${signup}`,
        reason: 'pending link offered',
      };
    }
    if (!settings.createUsers) return { kuid: null, message: 'no account is linked to this identity', reason: 'unknown identity' };
    return { kuid: await this.#firstLogin(strategy, identity, held) };
  }

  /**
   * The user of a first login, created with the kuid its reservation chose and enrolled in this
   * strategy by the same host call, then the reservation completed. Safe to run again, by a
   * racing login or after one cut short: a user with the reservation's kuid is one an earlier
   * run created, found instead of made twice.
   */
  async #firstLogin(strategy: string, identity: Identity, held: StoredIdentity | null): Promise<string> {
    const { identities } = this.parts;
    // A reservation already read (a run cut short, or racing) is finished as it is.
    const reserved = held ?? (await identities.reserve(strategy, identity));
    if (reserved.pending !== true) return reserved.kuid;
    await this.#createUser(strategy, identity, reserved.kuid);
    if (!(await identities.complete(strategy, identity.subject, reserved.kuid))) {
      this.parts.context.log.warn(`strategy "${strategy}": the identity of user "${reserved.kuid}" was unlinked, or the user deleted, while its first login ran`);
      throw new PreconditionError('this identity was unlinked, or its user deleted, while its first login ran: log in again');
    }
    return reserved.kuid;
  }

  async #createUser(strategy: string, identity: Identity, kuid: string): Promise<void> {
    const { identities, context } = this.parts;
    const settings = this.parts.provider(strategy).settings;
    try {
      await context.users.create({ kuid, content: identity.content as JsonObject, profileIds: settings.defaultProfiles, strategy });
      context.log.info(`strategy "${strategy}": created user "${kuid}" on a first login`);
    } catch (error) {
      const { id, status } = error as Partial<PluginError>;
      // Created by an earlier run of this first login: the kuid is the reservation's own, random, and named nowhere else.
      if (id === 'security.user.already_exists') return;
      // After a timeout or any 5xx the user may exist: the reservation stays for the next login to finish.
      if (typeof status !== 'number' || status >= 500) throw error;
      // A refusal (a profile not allowed, content refused) created nothing this time, but an earlier run
      // cut short may have: the kernel checks those before it finds the kuid taken. Its user is this identity's.
      if (await context.users.exists(kuid)) return;
      await identities.release(strategy, identity.subject, kuid);
      throw error;
    }
  }
}

function intentOf(value: unknown): AttemptIntent {
  if (value === undefined || value === null || value === 'login') return 'login';
  if (value === 'signup' || value === 'link') return value;
  throw new BadRequestError('"intent" must be "login", "signup" or "link"');
}
