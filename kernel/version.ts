/**
 * The kernel's version, from the root package.json. Found by walking up from
 * this file because it runs from kernel/ (tests) and from dist/kernel/ (built).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findKernelPackage(): { version: string; root: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portcullis' && typeof pkg.version === 'string') return { version: pkg.version, root: dir };
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the portcullis package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

const found = findKernelPackage();
export const KERNEL_VERSION = found.version;
/** The repository root (where package.json, plugins/ and plugins.json live by default). */
export const KERNEL_ROOT = found.root;
