/**
 * Each plugin's password pepper: 32 random bytes, created on first use and
 * kept in the kernel database. A plugin never sees it, so a copy of its
 * namespace (hashes included) is useless for offline guessing without the
 * kernel's database too.
 */
import { randomBytes } from 'node:crypto';
import type { KernelDb } from '../storage/kernel-db.js';

const PEPPER_BYTES = 32;

export function pepperFor(db: KernelDb, plugin: string): Buffer {
  const existing = db.prepare('SELECT pepper FROM plugin_peppers WHERE plugin = ?').get(plugin) as { pepper: Buffer } | undefined;
  if (existing !== undefined) return existing.pepper;
  const pepper = randomBytes(PEPPER_BYTES);
  // INSERT OR IGNORE then read back: two kernels starting together agree on one pepper.
  db.prepare('INSERT OR IGNORE INTO plugin_peppers (plugin, pepper, created_at) VALUES (?, ?, ?)').run(plugin, pepper, Date.now());
  return (db.prepare('SELECT pepper FROM plugin_peppers WHERE plugin = ?').get(plugin) as { pepper: Buffer }).pepper;
}
