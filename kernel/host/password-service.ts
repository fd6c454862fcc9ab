/**
 * Password hashing for plugins: native bcrypt, asynchronous, so the work
 * runs on libuv's thread pool and never blocks the kernel's event loop.
 */
import bcrypt from 'bcrypt';
import { PluginError } from '@portcullis/sdk-plugin/errors';

/** OWASP's floor for bcrypt is 10; 12 costs about 250 ms on this class of machine. */
export const DEFAULT_PASSWORD_COST = 12;
const MAX_COST = 15;
/**
 * bcrypt reads only the first 72 bytes of a password and silently ignores
 * the rest, so two passwords sharing 72 bytes would both verify. Longer
 * inputs are refused; a plugin that wants long passphrases pre-hashes them.
 */
const MAX_PASSWORD_BYTES = 72;

export class PasswordService {
  /** Lowest cost accepted; tests lower it to 4 to stay fast. */
  constructor(private readonly minCost = 10) {}

  async hash(password: unknown, cost: unknown = DEFAULT_PASSWORD_COST): Promise<string> {
    return bcrypt.hash(this.#password(password), this.#cost(cost));
  }

  async verify(password: unknown, hash: unknown): Promise<boolean> {
    if (typeof hash !== 'string' || hash.length > 100) throw invalid('hash', 'expected a bcrypt hash string');
    // A malformed stored hash is a failed comparison, not a crash.
    return bcrypt.compare(this.#password(password), hash).catch(() => false);
  }

  needsRehash(hash: unknown, cost: unknown = DEFAULT_PASSWORD_COST): boolean {
    if (typeof hash !== 'string') throw invalid('hash', 'expected a bcrypt hash string');
    const wanted = this.#cost(cost);
    try {
      return bcrypt.getRounds(hash) !== wanted;
    } catch {
      // Not a bcrypt hash we can read: hashing it again is the way out.
      return true;
    }
  }

  #password(password: unknown): string {
    if (typeof password !== 'string' || password.length === 0 || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      throw invalid('password', `a string of 1 to ${MAX_PASSWORD_BYTES} bytes in UTF-8 (bcrypt ignores anything past 72)`);
    }
    return password;
  }

  #cost(cost: unknown): number {
    if (cost === undefined || cost === null) return Math.max(DEFAULT_PASSWORD_COST, this.minCost);
    if (!Number.isInteger(cost) || (cost as number) < this.minCost || (cost as number) > MAX_COST) {
      throw invalid('cost', `expected an integer from ${this.minCost} to ${MAX_COST}`);
    }
    return cost as number;
  }
}

function invalid(argument: string, detail: string): PluginError {
  return new PluginError('api.assert.invalid_argument', argument, detail);
}
