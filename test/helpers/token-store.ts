/**
 * A TokenStore on a fresh kernel database for each test (vitest hooks),
 * closed after it, and the same kernel restarted: a second store on the
 * same file, with nothing in memory.
 */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openKernelDb, type KernelDb } from '../../kernel/storage/kernel-db.js';
import { TokenStore } from '../../kernel/tokens/token-store.js';
import { tempDir } from './fixtures.js';

export interface TokenStoreKernel {
  /** The running test's database. */
  readonly db: KernelDb;
  /** The running test's store, on `db`. */
  readonly store: TokenStore;
  /** A second store on the same database file: the kernel after a restart (nothing in memory). */
  restart(): TokenStore;
}

export function useTokenStore(secret: Buffer): TokenStoreKernel {
  let file = '';
  let current: { db: KernelDb; store: TokenStore } | undefined;
  const opened: KernelDb[] = [];
  const open = (): KernelDb => {
    const db = openKernelDb(file);
    opened.push(db);
    return db;
  };
  beforeEach(() => {
    file = join(tempDir(), 'kernel.sqlite');
    const db = open();
    current = { db, store: new TokenStore(db, secret) };
  });
  afterEach(() => {
    for (const db of opened.splice(0).reverse()) db.close();
    current = undefined;
  });
  const running = () => {
    if (current === undefined) throw new Error('useTokenStore: the store exists only while a test runs');
    return current;
  };
  return {
    get db() {
      return running().db;
    },
    get store() {
      return running().store;
    },
    restart: () => new TokenStore(open(), secret),
  };
}
