/**
 * common-passwords.ts, the list the policy checks (password-policy.ts), is
 * the package's list cut to what a policy can meet: it must not drift from
 * @zxcvbn-ts/language-common when the package is updated.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from '../src/common-passwords.js';
import { checkPasswordPolicy } from '../src/password-policy.js';

const policy = { minLength: 8, maxLength: 128, rejectCommon: true, pattern: null, forbidUsername: false, historySize: 0, maxAgeDays: 0, mustChangeAfterAdminSet: false };

describe('common-passwords.ts', () => {
  it("holds every entry of the package's list with at least 8 characters, lower case, and nothing else (else: node plugins/local/scripts/write-common-passwords.mjs)", () => {
    const lines = COMMON_PASSWORDS.split('\n');
    const expected = [...new Set(dictionary.passwords.map((password) => password.toLowerCase()))].filter((password) => [...password].length >= 8);
    expect(lines).toEqual(expected);
    expect(lines.length).toBeGreaterThan(10_000);
  });

  it('refuses its entries at the lowest minLength, whatever their case, and leaves other passwords alone', () => {
    const refused = (password: string) => {
      try {
        checkPasswordPolicy(password, 'someone', policy);
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const tooCommon = 'password is too common: it is on the list of most used passwords';
    expect(refused('12345678')).toBe(tooCommon);
    expect(refused('PassWord1234')).toBe(tooCommon);
    expect(refused('correct horse battery staple')).toBeNull();
    // Shorter entries ('123456') are refused by length first.
    expect(refused('123456')).toBe('password must be at least 8 characters long');
  });
});
