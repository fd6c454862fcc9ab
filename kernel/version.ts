/**
 * The kernel's version, from the root package.json. Found by walking up from
 * this file because it runs from kernel/ (tests) and from dist/kernel/ (built).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findKernelVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portcullis' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the portcullis package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const KERNEL_VERSION = findKernelVersion();
