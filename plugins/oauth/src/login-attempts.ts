/**
 * Login attempts: what the first step of a login leaves for its callback.
 * Each holds the PKCE verifier and the nonce, under a SHA-256 of its
 * `state` (a 256-bit random value the client only carries), lives
 * `attemptTtlSeconds`, and is used once: whoever deletes it first owns it,
 * so two callbacks racing with one state cannot both go on. Expired
 * attempts are swept as new ones are made.
 *
 * Step 1 is anonymous and the kernel does not count a redirect against its
 * login throttle, so the live attempts are capped, per client address (a
 * SHA-256 of it is stored, not the address) and in all: past a cap, a new
 * attempt is a 429 until older ones are used or expire.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { TooManyRequestsError, type Repository } from '@portcullis/sdk-plugin';
import type { AttemptSecrets } from './provider-client.js';

/**
 * `login`: the callback logs in (or creates the user). `signup`: the same, but an identity
 * with a verified email creates a user instead of offering a link. `link`: started by a
 * logged-in user, finished by auth:createMyCredentials; the attempt names that user.
 */
export type AttemptIntent = 'login' | 'signup' | 'link';

export interface LoginAttempt extends AttemptSecrets {
  strategy: string;
  intent: AttemptIntent;
  /** The user a `link` attempt was started by; null otherwise. */
  kuid: string | null;
  /** SHA-256 of the client address that started it (the per-client cap). */
  client: string;
  expiresAt: number;
}

/** How many live attempts one client address, and all clients together, may hold. */
export interface AttemptCaps {
  perClient: number;
  total: number;
}

/** Why a state cannot be used: each is a 401 with its own clear message. */
export type AttemptRefusal = 'unknown' | 'expired' | 'other strategy';

/** How many expired attempts one new attempt sweeps: bounded work per login. */
const SWEEP_BATCH = 50;

const idOf = (state: string) => createHash('sha256').update(state).digest('base64url');
const clientOf = (ip: string | null) => createHash('sha256').update(`client:${ip ?? 'unknown'}`).digest('base64url');

export class LoginAttempts {
  constructor(
    private readonly repository: Repository,
    private readonly ttlMs: number,
    private readonly caps: AttemptCaps,
  ) {}

  /** A new attempt for `strategy` by the client at `ip`, not yet stored: fresh state, nonce and PKCE verifier. */
  fresh(strategy: string, intent: AttemptIntent, kuid: string | null, ip: string | null): LoginAttempt {
    return {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      strategy,
      intent,
      kuid,
      client: clientOf(ip),
      expiresAt: Date.now() + this.ttlMs,
    };
  }

  /** Stores an attempt once its authorization URL is built (a provider down leaves nothing behind). */
  async save(attempt: LoginAttempt): Promise<void> {
    await this.#sweep();
    await this.#checkRoom(attempt.client);
    const { state, ...stored } = attempt;
    await this.repository.create({ ...stored }, idOf(state));
  }

  /** The attempt `state` names, without using it up (a `link` attempt reached the login route). */
  async peek(state: string, strategy: string): Promise<LoginAttempt | AttemptRefusal> {
    const found = await this.repository.get(idOf(state));
    if (found === null) return 'unknown';
    const attempt = { ...(found._source as unknown as Omit<LoginAttempt, 'state'>), state };
    if (attempt.strategy !== strategy) return 'other strategy';
    if (attempt.expiresAt <= Date.now()) return 'expired';
    return attempt;
  }

  /** Uses the attempt up: resolves it only for the one caller whose delete removed it. */
  async consume(state: string, strategy: string): Promise<LoginAttempt | AttemptRefusal> {
    const attempt = await this.peek(state, strategy);
    if (attempt === 'other strategy') return attempt;
    if (!(await this.repository.delete(idOf(state)))) return 'unknown';
    return attempt;
  }

  /** 429 past a cap. Counted, then stored: racing starts may overshoot a cap by a few, never without bound. */
  async #checkRoom(client: string): Promise<void> {
    const live = { expiresAt: { gt: Date.now() } };
    if ((await this.repository.count({ ...live, client })) >= this.caps.perClient) {
      throw new TooManyRequestsError('too many login attempts in progress from this address: finish or abandon one, or try again later');
    }
    if ((await this.repository.count(live)) >= this.caps.total) throw new TooManyRequestsError('too many login attempts in progress: try again later');
  }

  async #sweep(): Promise<void> {
    const { hits } = await this.repository.search({ where: { expiresAt: { lte: Date.now() } }, size: SWEEP_BATCH });
    for (const hit of hits) await this.repository.delete(hit._id);
  }
}

/** The collection's declaration (expiresAt indexed for the sweep and the caps, client for the per-client cap). */
export const ATTEMPTS_COLLECTION = { name: 'login-attempts', indexes: [{ field: 'expiresAt' }, { field: 'client' }] };

/** Narrows a peek or consume result. */
export function isAttempt(value: LoginAttempt | AttemptRefusal): value is LoginAttempt {
  return typeof value === 'object';
}
