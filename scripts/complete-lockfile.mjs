// Completes package-lock.json for `npm ci` on npm 11.19.
//
// Why: `npm install` there leaves other platforms' optional packages (e.g.
// @rollup/rollup-darwin-arm64) out of the lockfile, while `npm ci` expects an
// entry for each and refuses to run ("Missing: ... from lock file"). This adds
// the entries older npm versions wrote: version, integrity, os/cpu/libc, read
// from the registry. Run it after changing dependencies: `make lock`.
//
// A version the registry does not hold (mirrors can lack some platform
// builds, which is often why npm left it out) is recorded without integrity,
// with the platform constraints of the newest version it holds: they do not
// change between versions, and they are what lets `npm ci` skip the entry on
// other platforms.
import { readFileSync, writeFileSync } from 'node:fs';
import semver from 'semver';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const registry = 'https://registry.npmjs.org';

const missing = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path === '' ? '' : `${path}/`}node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push({ name, range, parent: entry });
  }
}

const added = await Promise.all(
  missing.map(async ({ name, range, parent }) => {
    const response = await fetch(`${registry}/${name.replace('/', '%2f')}`);
    if (!response.ok) throw new Error(`${name}: registry answered ${response.status}`);
    const packument = await response.json();
    const versions = Object.keys(packument.versions ?? {});
    const version = semver.maxSatisfying(versions, range);
    const newest = semver.maxSatisfying(versions, '*');
    if (version === null && newest === null) throw new Error(`${name}: the registry holds no version`);
    const manifest = packument.versions[version ?? newest];
    const entry = version === null ? { version: semver.minVersion(range).version } : { version, integrity: manifest.dist.integrity };
    const keys = version === null ? ['cpu', 'os', 'libc'] : ['cpu', 'os', 'libc', 'engines', 'license'];
    for (const key of keys) if (manifest[key] !== undefined) entry[key] = manifest[key];
    if (parent.dev) entry.dev = true;
    entry.optional = true;
    return [`node_modules/${name}`, entry];
  }),
);

for (const [key, entry] of added) lock.packages[key] = entry;
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added.length} optional platform entries`);
