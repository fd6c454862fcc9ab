// Writes plugins/local/src/common-passwords.ts: the entries of
// @zxcvbn-ts/language-common's common-password list that a password policy
// can meet (at least 8 characters, the floor of policy.minLength), lower
// case, one a line, in the list's order (most used first). A module, not a
// data file, so that it is built into dist/ with the rest of the plugin.
// Run it after updating the package; test/common-passwords.test.ts fails
// until then.
//   node plugins/local/scripts/write-common-passwords.mjs
import { writeFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';

const MIN_LENGTH_FLOOR = 8;
const entries = [...new Set(dictionary.passwords.map((password) => password.toLowerCase()))].filter((password) => [...password].length >= MIN_LENGTH_FLOOR);
const source = `// Written by scripts/write-common-passwords.mjs from @zxcvbn-ts/language-common (${dictionary.passwords.length} entries): do not edit.
/** The common passwords of at least ${MIN_LENGTH_FLOOR} characters, lower case, one a line (${entries.length}). */
export const COMMON_PASSWORDS = ${JSON.stringify(entries.join('\n'))};
`;
writeFileSync(new URL('../src/common-passwords.ts', import.meta.url), source);
console.log(`${entries.length} entries of ${dictionary.passwords.length}`);
