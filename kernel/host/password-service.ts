/**
 * Password hashing for plugins: native bcrypt, asynchronous, so the work
 * runs on libuv's thread pool and never blocks the kernel's event loop.
 *
 * Each password goes through HMAC-SHA-384 keyed by the plugin's pepper
 * before bcrypt, because bcrypt reads only 72 bytes and silently ignores the
 * rest: two long passwords sharing their first 72 bytes would both verify.
 * The HMAC's base64 form is 64 characters, whatever the password's length,
 * and the pepper (kept by the kernel, never in the plugin's namespace) makes
 * a stolen namespace useless for offline guessing on its own.
 */
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import { PluginError } from '@portcullis/sdk-plugin/errors';

/** OWASP's floor for bcrypt is 10; 12 costs about 250 ms on this class of machine. */
export const DEFAULT_PASSWORD_COST = 12;
const MAX_COST = 15;
/** Longer inputs are refused outright: hashing megabytes is a denial of service. */
const MAX_PASSWORD_CHARS = 4096;

export class PasswordService {
  /** Lowest cost accepted; tests lower it to 4 to stay fast. */
  constructor(private readonly minCost = 10) {}

  async hash(pepper: Buffer, password: unknown, cost: unknown = DEFAULT_PASSWORD_COST): Promise<string> {
    return bcrypt.hash(this.#prehash(pepper, password), this.#cost(cost));
  }

  async verify(pepper: Buffer, password: unknown, hash: unknown): Promise<boolean> {
    if (typeof hash !== 'string' || hash.length > 100) throw invalid('hash', 'a bcrypt hash string');
    // A malformed stored hash is a failed comparison, not a crash.
    return bcrypt.compare(this.#prehash(pepper, password), hash).catch(() => false);
  }

  needsRehash(hash: unknown, cost: unknown = DEFAULT_PASSWORD_COST): boolean {
    if (typeof hash !== 'string') throw invalid('hash', 'a bcrypt hash string');
    const wanted = this.#cost(cost);
    try {
      return bcrypt.getRounds(hash) !== wanted;
    } catch {
      // Not a bcrypt hash we can read: hashing it again is the way out.
      return true;
    }
  }

  #prehash(pepper: Buffer, password: unknown): string {
    if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_CHARS) {
      throw invalid('password', `a string of 1 to ${MAX_PASSWORD_CHARS} characters`);
    }
    return createHmac('sha384', pepper).update(password, 'utf8').digest('base64');
  }

  #cost(cost: unknown): number {
    if (cost === undefined || cost === null) return Math.max(DEFAULT_PASSWORD_COST, this.minCost);
    if (!Number.isInteger(cost) || (cost as number) < this.minCost || (cost as number) > MAX_COST) {
      throw invalid('cost', `an integer from ${this.minCost} to ${MAX_COST}`);
    }
    return cost as number;
  }
}

function invalid(argument: string, detail: string): PluginError {
  return new PluginError('api.assert.invalid_argument', argument, detail);
}
