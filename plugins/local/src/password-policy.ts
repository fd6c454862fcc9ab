/**
 * The password rules of the local strategy. Each refusal is a 400 whose
 * message names the rule, so a user knows what to change. Passwords are
 * NFKC-normalized first (ASVS 2.1.4: any Unicode, compared in one form).
 */
import { BadRequestError } from '@portcullis/sdk-plugin';
import { COMMON_PASSWORDS } from './common-passwords.js';
import type { PasswordPolicy } from './config.js';

/**
 * The common passwords a policy can meet: those of @zxcvbn-ts/language-common's
 * list (49,233) with at least 8 characters, the floor of minLength (a shorter
 * one can never match: the password is refused first, and lower-casing never
 * shortens), lower case: 17,950, in one string (common-passwords.ts, written
 * by scripts/write-common-passwords.mjs; a test keeps it equal to the
 * package's). Importing the package instead cost about 9 MB of every
 * isolate's resident memory (bench/memory), and loading it only to copy from
 * it left most of that behind. The set is built at the first password checked.
 */
let commonPasswords: ReadonlySet<string> | undefined;

function isCommon(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS.split('\n'));
  return commonPasswords.has(password.toLowerCase());
}

export function normalizePassword(password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) throw new BadRequestError('password must be a non-empty string');
  return password.normalize('NFKC');
}

/** Throws a BadRequestError naming the first rule `password` (already normalized) breaks. */
export function checkPasswordPolicy(password: string, username: string, policy: PasswordPolicy): void {
  // Length in code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...password].length;
  if (length < policy.minLength) throw new BadRequestError(`password must be at least ${policy.minLength} characters long`);
  if (length > policy.maxLength) throw new BadRequestError(`password must be at most ${policy.maxLength} characters long`);
  if (policy.rejectCommon && isCommon(password)) {
    throw new BadRequestError('password is too common: it is on the list of most used passwords');
  }
  if (policy.forbidUsername && password.toLowerCase().includes(username.toLowerCase())) {
    throw new BadRequestError('password must not contain the username');
  }
  if (policy.pattern !== null && !new RegExp(policy.pattern, 'u').test(password)) {
    throw new BadRequestError('password does not match the required pattern');
  }
}
