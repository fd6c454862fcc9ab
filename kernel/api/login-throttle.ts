/**
 * Login throttling in the kernel, before any strategy runs: failed logins
 * are counted per client address and per (strategy, login identifier), and
 * past either limit `auth:login` answers 429
 * `api.process.too_many_logins_requests` with `Retry-After`, without calling
 * the plugin (so no bcrypt is spent on it).
 *
 * An attempt is counted as a failure when it is admitted, and given back
 * when it turns out not to be one: concurrent attempts cannot slip past the
 * limit while the first ones are still being verified. A success forgets
 * the identifier's failures (not the address's: a valid account must not
 * clear its address's count for guesses at other accounts). A refused
 * attempt is not counted, so a user retrying does not extend the lockout.
 *
 * IPv6 clients are counted per /64, the smallest block an ISP hands out:
 * one client can use a whole /64, so counting single addresses would count
 * nothing.
 *
 * @example
 * ```ts
 * const attempt = throttle.admit(request.ip, 'local', request.body, request.args); // throws 429 when over a limit
 * throttle.settle(attempt, outcome.kind === 'success' ? 'succeeded' : 'failed');
 * ```
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { addressKey } from '../http/client-address.js';
import { ErrorWithHeaders, retryAfter } from './action.js';
import { givenLoginIdentifier } from './login-identifier.js';
import { FailureWindow } from '../security/failure-window.js';

export interface LoginThrottleSettings {
  /** Failures one (strategy, identifier) may have at once; 0: no limit. */
  accountFailures: number;
  /** How long `accountFailures` take to be forgiven, ms. */
  accountWindowMs: number;
  /** Failures one client address may have at once; 0: no limit. */
  ipFailures: number;
  /** How long `ipFailures` take to be forgiven, ms. */
  ipWindowMs: number;
}

/** One admitted login attempt: the keys it was counted under. */
export interface LoginAttempt {
  readonly account: string | null;
  readonly ip: string | null;
}

/** An identifier is cut here before it is normalised: no account name is longer, and NFKC of 1 MB would cost. */
const MAX_IDENTIFIER_LENGTH = 1024;
/**
 * Keys kept per window. A key costs about 130 bytes (a 43-character digest
 * or an address, a Map entry, a number): 13 MB per window at most.
 */
export const MAX_THROTTLE_KEYS = 100_000;

export class LoginThrottle {
  readonly #accounts: FailureWindow | null;
  readonly #ips: FailureWindow | null;

  constructor(settings: LoginThrottleSettings, options: { now?: () => number; maxKeys?: number } = {}) {
    const window = (limit: number, windowMs: number) =>
      limit === 0 ? null : new FailureWindow({ limit, windowMs, maxKeys: options.maxKeys ?? MAX_THROTTLE_KEYS, ...(options.now ? { now: options.now } : {}) });
    this.#accounts = window(settings.accountFailures, settings.accountWindowMs);
    this.#ips = window(settings.ipFailures, settings.ipWindowMs);
  }

  /**
   * Counts an attempt, or refuses it.
   * @throws 429 `api.process.too_many_logins_requests` with `Retry-After` (seconds) when over a limit.
   */
  admit(ip: string | null, strategy: string, body: JsonObject | null, query: JsonObject = {}): LoginAttempt {
    const identifier = loginIdentifier(body, query);
    const attempt: LoginAttempt = {
      account: this.#accounts === null || identifier === null ? null : accountKey(strategy, identifier),
      ip: this.#ips === null || ip === null ? null : addressKey(ip),
    };
    const wait = Math.max(attempt.account === null ? 0 : this.#accounts!.wait(attempt.account), attempt.ip === null ? 0 : this.#ips!.wait(attempt.ip));
    if (wait > 0) throw tooManyLogins(wait);
    if (attempt.account !== null) this.#accounts!.take(attempt.account);
    if (attempt.ip !== null) this.#ips!.take(attempt.ip);
    return attempt;
  }

  /**
   * What the attempt turned out to be: `failed` stays counted; `succeeded`
   * forgets the identifier's failures and gives the address's one back;
   * `void` (not a verdict on credentials: a redirect, a plugin down) gives both back.
   */
  settle(attempt: LoginAttempt, outcome: 'succeeded' | 'failed' | 'void'): void {
    if (outcome === 'failed') return;
    if (attempt.account !== null) {
      if (outcome === 'succeeded') this.#accounts!.forget(attempt.account);
      else this.#accounts!.giveBack(attempt.account);
    }
    if (attempt.ip !== null) this.#ips!.giveBack(attempt.ip);
  }

  /** Keys remembered now, per window (bounded by `maxKeys`). */
  keyCounts(): { accounts: number; ips: number } {
    return { accounts: this.#accounts?.size ?? 0, ips: this.#ips?.size ?? 0 };
  }
}

/** The login's identifier (login-identifier.ts), trimmed, NFKC-normalised and lower-cased; null if none (or empty). */
export function loginIdentifier(body: JsonObject | null, query: JsonObject = {}): string | null {
  const given = givenLoginIdentifier(body, query);
  if (given === null) return null;
  const identifier = given.slice(0, MAX_IDENTIFIER_LENGTH).normalize('NFKC').trim().toLowerCase();
  return identifier === '' ? null : identifier;
}

/** A digest, so attempted names (sometimes a password typed in the wrong field) are not kept in memory in clear. */
function accountKey(strategy: string, identifier: string): string {
  return createHash('sha256').update(`${strategy}\0${identifier}`).digest('base64url');
}

function tooManyLogins(waitMs: number): ErrorWithHeaders {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const error = new ErrorWithHeaders(retryAfter(seconds), 'api.process.too_many_logins_requests');
  error.message = `Rejected: too many failed login attempts; retry in ${seconds} s.`;
  return error;
}
