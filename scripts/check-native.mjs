// After install: prove the two native modules load. npm 11 skips install
// scripts that package.json's allowScripts does not allow, which leaves them
// unbuilt; failing here says so at once instead of deep inside a test.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').prepare('SELECT 1').get();
  require('bcrypt').hashSync('check', 4);
  console.log('native modules: better-sqlite3 and bcrypt load');
} catch (error) {
  console.error(`native modules failed to load: ${error.message}`);
  console.error('Check that package.json "allowScripts" lists better-sqlite3 and bcrypt, then run: npm rebuild better-sqlite3 bcrypt');
  process.exit(1);
}
