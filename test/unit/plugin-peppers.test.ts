import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pepperFor } from '../../kernel/host/plugin-peppers.js';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import { tempDir } from '../helpers/fixtures.js';

describe('plugin peppers', () => {
  it('are 32 random bytes per plugin, kept in the kernel database and stable across restarts', () => {
    const file = join(tempDir(), 'kernel.sqlite');
    const db = openKernelDb(file);
    const local = pepperFor(db, 'local');
    expect(local).toHaveLength(32);
    expect(pepperFor(db, 'local').equals(local)).toBe(true);
    expect(pepperFor(db, 'oauth').equals(local)).toBe(false);
    db.close();

    const reopened = openKernelDb(file);
    // A new pepper after a restart would make every stored password unusable.
    expect(pepperFor(reopened, 'local').equals(local)).toBe(true);
    reopened.close();
  });
});
