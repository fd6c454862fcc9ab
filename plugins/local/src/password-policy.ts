/**
 * The password rules of the local strategy. Each refusal is a 400 whose
 * message names the rule, so a user knows what to change. Passwords are
 * NFKC-normalized first (ASVS 2.1.4: any Unicode, compared in one form).
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { BadRequestError } from '@portcullis/sdk-plugin';
import type { PasswordPolicy } from './config.js';

/** The ~49,000 most common passwords (offline list), lower-cased for a case-blind match. */
const COMMON_PASSWORDS = new Set(dictionary.passwords.map((p) => p.toLowerCase()));

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
  if (policy.rejectCommon && COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new BadRequestError('password is too common: it is on the list of most used passwords');
  }
  if (policy.forbidUsername && password.toLowerCase().includes(username.toLowerCase())) {
    throw new BadRequestError('password must not contain the username');
  }
  if (policy.pattern !== null && !new RegExp(policy.pattern, 'u').test(password)) {
    throw new BadRequestError('password does not match the required pattern');
  }
}
