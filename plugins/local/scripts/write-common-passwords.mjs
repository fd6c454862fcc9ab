// Writes plugins/local/common-passwords.txt: the entries of
// @zxcvbn-ts/language-common's common-password list that a password policy
// can meet (at least 8 characters, the floor of policy.minLength), lower
// case, one a line, in the list's order (most used first). Run it after
// updating the package; test/common-passwords.test.ts fails until then.
//   node plugins/local/scripts/write-common-passwords.mjs
import { writeFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';

const MIN_LENGTH_FLOOR = 8;
const entries = [...new Set(dictionary.passwords.map((password) => password.toLowerCase()))].filter((password) => [...password].length >= MIN_LENGTH_FLOOR);
writeFileSync(new URL('../common-passwords.txt', import.meta.url), `${entries.join('\n')}\n`);
console.log(`${entries.length} entries of ${dictionary.passwords.length}`);
