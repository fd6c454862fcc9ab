/**
 * A real kernel serving hostile fixture plugins next to a victim: the
 * `minimal` plugin as `victim`, holding the first admin's credentials. So
 * DATA_DIR holds what a plugin must never reach: the kernel secret file,
 * kernel.sqlite (users, peppers) and another plugin's namespace
 * (plugins/victim.sqlite, a password hash in it).
 *
 * Hostile fixtures answer `attack:run` with body {attack, ...args}.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import { startTestKernel, type FixturePlugin, type TestKernel } from './test-kernel.js';

export const ADMIN_SECRET = 'the victim keeps this one';

export interface HostileKernel extends TestKernel {
  /** The first admin's token (from a victim login). */
  adminJwt: string;
  kernelDb: string;
  victimDb: string;
  kernelSecretFile: string;
  /** Runs an attack in a hostile plugin through the kernel's plugin action path. */
  attack(plugin: string, attack: string, args?: JsonObject): Promise<JsonValue>;
  /** Checks the kernel still answers and still logs the victim's admin in. */
  expectServing(): Promise<void>;
}

export async function startHostileKernel(hostile: Record<string, FixturePlugin>, options: Parameters<typeof startTestKernel>[1] = {}): Promise<HostileKernel> {
  const k = await startTestKernel({ victim: { fixture: 'minimal', config: { strategy: 'victim' } }, ...hostile }, options);
  const post = async (path: string, body: unknown) => {
    const response = await k.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
    return response.body.result as Record<string, string>;
  };
  await post('/_createFirstAdmin/admin', { credentials: { victim: { login: 'admin', secret: ADMIN_SECRET } } });
  const login = () => post('/_login/victim', { login: 'admin', secret: ADMIN_SECRET });
  const adminJwt = (await login()).jwt!;
  return {
    ...k,
    adminJwt,
    kernelDb: join(k.dataDir, 'kernel.sqlite'),
    victimDb: join(k.dataDir, 'plugins', 'victim.sqlite'),
    kernelSecretFile: join(k.dataDir, 'kernel.secret'),
    attack: (plugin, attack, args = {}) =>
      k.kernel.plugins.callAction(plugin, 'attack', 'run', {
        requestId: `attack-${attack}`, controller: `${plugin}/attack`, action: 'run', userId: null, tokenId: null, args: {}, ip: null, body: { attack, ...args },
      }),
    async expectServing() {
      expect((await k.request('/_now')).status).toBe(200);
      expect((await login()).jwt).toMatch(/^kauth-/);
    },
  };
}

/** Every row of every table of a SQLite file, read through a second connection. */
export function databaseContent(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()]));
  } finally {
    db.close();
  }
}

/** Names, sizes and modes of everything under `dir` (SQLite's -wal and -shm files left out: they change on their own). */
export function folderListing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !/-(wal|shm)$/.test(name))
    .sort()
    .map((name) => {
      const stats = statSync(join(dir, name));
      return `${name} ${stats.isDirectory() ? 'dir' : stats.size} ${(stats.mode & 0o777).toString(8)}`;
    });
}

/** The descriptor this process holds open on `file` (Linux: /proc/self/fd). */
export function descriptorOf(file: string): number {
  const fd = openDescriptors().find(([, target]) => target === file)?.[0];
  if (fd === undefined) throw new Error(`no descriptor open on ${file}`);
  return fd;
}

/** The descriptor of the socket listening on `port` (Linux: /proc/net/tcp and tcp6). */
export function listeningDescriptor(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // local_address ends with :PORT; state 0A is LISTEN; the inode is the tenth column.
      .filter((columns) => columns[1]?.endsWith(`:${hexPort}`) && columns[3] === '0A')
      .map((columns) => `socket:[${columns[9]}]`),
  );
  const fd = openDescriptors().find(([, target]) => inodes.includes(target))?.[0];
  if (fd === undefined) throw new Error(`no listening socket on port ${port}`);
  return fd;
}

function openDescriptors(): Array<[number, string]> {
  return readdirSync('/proc/self/fd').flatMap((name): Array<[number, string]> => {
    try {
      return [[Number(name), readlinkSync(`/proc/self/fd/${name}`)]];
    } catch {
      return []; // closed while listing
    }
  });
}

/** The attempts of a report whose outcome is not `expected` (an empty list is a pass). */
export function notRefused(report: JsonValue, expected: string | RegExp = 'ERR_ACCESS_DENIED'): Array<[string, unknown]> {
  return Object.entries(report as Record<string, unknown>).filter(([, outcome]) =>
    typeof expected === 'string' ? outcome !== expected : !expected.test(String(outcome)),
  );
}
