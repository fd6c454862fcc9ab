/**
 * Who holds which profile (the user_profiles table, kept by triggers on
 * users): the last-admin and profile-in-use checks must be index seeks, not a
 * scan of every user's content (on 1M users that scan took ~320 ms on every
 * user deletion and every save of a non-admin).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RightsStore } from '../../kernel/security/rights-store.js';
import { standardProfiles, standardRoles } from '../../kernel/security/rights.js';
import { UserStore } from '../../kernel/security/user-store.js';
import { openKernelDb, type KernelDb } from '../../kernel/storage/kernel-db.js';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { tempDir } from '../helpers/fixtures.js';
import { thrown } from '../helpers/thrown.js';

const opened: KernelDb[] = [];

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function open(file = join(tempDir(), 'kernel.sqlite')): KernelDb {
  const db = openKernelDb(file);
  opened.push(db);
  return db;
}

/** The real database, with every SQL text prepared through it written down (the statements stay the database's own). */
function observed(db: KernelDb): { db: KernelDb; prepared: string[] } {
  const prepared: string[] = [];
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') {
        return (sql: string) => {
          prepared.push(sql);
          return target.prepare(sql);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, prepared };
}

/** SQLite's plan for `sql`, one line per step (every parameter bound to NULL). */
function plan(db: KernelDb, sql: string): string[] {
  const parameters = (sql.match(/\?/g) ?? []).map(() => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as Array<{ detail: string }>).map((row) => row.detail);
}

/** The profile holdings as users.content says them: what user_profiles must always equal. */
function holdingsFromContent(db: KernelDb): string[] {
  return db
    .prepare<[], string>("SELECT p.value || ' ' || users.id FROM users, json_each(users.content, '$.profileIds') p WHERE p.type = 'text' GROUP BY 1 ORDER BY 1")
    .pluck()
    .all();
}

function holdings(db: KernelDb): string[] {
  return db.prepare<[], string>("SELECT profile || ' ' || kuid FROM user_profiles ORDER BY 1").pluck().all();
}

const rightsStore = (db: KernelDb) => new RightsStore(db, { roles: standardRoles(), profiles: standardProfiles() });

describe('user_profiles', () => {
  it('the admin and profile-in-use checks seek an index and never scan users', () => {
    const { db, prepared } = observed(open());
    new UserStore(db);
    rightsStore(db);
    const checks = prepared.filter((sql) => /profileIds|user_profiles/.test(sql) && /^\s*SELECT/i.test(sql));
    // adminExists, assertAdminRemains (two), deleteProfile's in-use check.
    expect(checks.length).toBe(3);
    for (const sql of checks) {
      const steps = plan(db, sql);
      expect(steps.filter((step) => /\bSCAN (TABLE )?(users|user_profiles)\b/.test(step)), sql).toEqual([]);
      expect(steps.some((step) => /SEARCH (TABLE )?user_profiles USING (PRIMARY KEY|COVERING INDEX)/.test(step)), `${sql}\n${steps.join('\n')}`).toBe(true);
    }
    // What the triggers run on every write of a user (their statements do not show in a plan of their own).
    expect(plan(db, 'DELETE FROM user_profiles WHERE kuid = ?')).toEqual([expect.stringMatching(/SEARCH (TABLE )?user_profiles USING COVERING INDEX user_profiles_by_kuid/)]);
  });

  it('follows every write of a user: create, update, replace, delete, and a duplicate or non-string entry', () => {
    const db = open();
    const users = new UserStore(db);
    users.create('ann', {}, ['admin', 'default']);
    users.create('bob', { name: 'Bob' }, ['default', 'default']);
    users.create('cyd', {}, ['editor']);
    db.prepare("INSERT INTO users (id, content, created_at) VALUES ('odd', '{\"profileIds\":[\"default\",7,null]}', 0)").run();
    users.update('bob', { profileIds: ['editor', 'admin'] } as JsonObject);
    users.replace('cyd', { name: 'Cyd' }, ['default']);
    users.delete('ann');
    expect(holdings(db)).toEqual(['admin bob', 'default cyd', 'default odd', 'editor bob']);
    expect(holdings(db)).toEqual(holdingsFromContent(db));
    // A hand-edited row that is not JSON holds no profile; the write itself goes through.
    db.prepare("UPDATE users SET content = '{not json' WHERE id = 'odd'").run();
    expect(holdings(db)).toEqual(['admin bob', 'default cyd', 'editor bob']);
  });

  it('is filled from the users of a database made before it, in the migration (a row that is not JSON holding none)', () => {
    const file = join(tempDir(), 'kernel.sqlite');
    const before = openKernelDb(file);
    // The database as the previous version left it: no table, no triggers, migration 8 not applied.
    before.exec(`DROP TRIGGER users_inserted_profiles; DROP TRIGGER users_updated_profiles; DROP TRIGGER users_deleted_profiles;
      DROP TABLE user_profiles; DELETE FROM schema_migrations WHERE version = 8`);
    const insert = before.prepare('INSERT INTO users (id, content, created_at) VALUES (?, ?, 0)');
    insert.run('zed', JSON.stringify({ profileIds: ['default'] }));
    insert.run('amy', JSON.stringify({ profileIds: ['admin', 'admin'] }));
    insert.run('nop', JSON.stringify({ name: 'no profileIds' }));
    insert.run('bad', '{not json');
    before.close();

    const db = open(file);
    expect(holdings(db)).toEqual(['admin amy', 'default zed']);
    const users = new UserStore(db);
    expect(users.adminExists()).toBe(true);
    expect(thrown(() => users.assertAdminRemains(['amy']))).toMatchObject({ id: 'security.user.last_admin' });
  });

  it('keeps the last admin, whatever the order of the rows and the deletions under way', () => {
    const db = open();
    const users = new UserStore(db);
    expect(users.adminExists()).toBe(false);
    // Before any admin, there is none to lose.
    users.create('plain', {}, ['default']);
    expect(() => users.assertAdminRemains(['plain'])).not.toThrow();
    users.create('zoe', {}, ['default']);
    users.create('adam', {}, ['admin']);
    users.update('zoe', { profileIds: ['admin'] } as JsonObject);
    expect(users.adminExists()).toBe(true);

    const release = users.reserveDeletion(['adam']);
    // zoe is the last admin while adam's deletion is under way: neither deletable nor demotable.
    expect(thrown(() => users.reserveDeletion(['zoe']))).toMatchObject({ id: 'security.user.last_admin' });
    expect(thrown(() => users.update('zoe', { profileIds: ['default'] } as JsonObject))).toMatchObject({ id: 'security.user.last_admin' });
    release();
    users.update('zoe', { profileIds: ['default'] } as JsonObject);
    expect(thrown(() => users.assertAdminRemains(['adam', 'plain']))).toMatchObject({ id: 'security.user.last_admin', message: expect.stringContaining('adam') });
    expect(() => users.assertAdminRemains(['zoe', 'plain'])).not.toThrow();
  });

  it('tells a profile held by a user from one no user holds', () => {
    const db = open();
    const users = new UserStore(db);
    const rights = rightsStore(db);
    rights.writeProfile('editor', { policies: [{ roleId: 'default' }], rateLimit: 0 }, 'create');
    users.create('ed', {}, ['editor']);
    expect(thrown(() => rights.deleteProfile('editor'))).toMatchObject({ id: 'security.profile.in_use' });
    users.replace('ed', {}, ['default']);
    rights.deleteProfile('editor');
  });
});
