/**
 * Roles and profiles, stored and editable, and the Rights every request is
 * checked against. The standard three (admin, default, anonymous) are built
 * in; a stored row replaces a built-in one, and restoring the defaults
 * deletes the rows. All of it is held in memory: a change writes the row,
 * then builds a new Rights from the maps, so the next request sees it and
 * no request reads the database for its rights.
 */
import type { Statement } from 'better-sqlite3';
import type * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { KernelDb } from '../storage/kernel-db.js';
import { assertProfileInvariants, assertRoleInvariants, profileSchema, roleSchema, STANDARD_IDS, type Profile } from './role-definitions.js';
import { Rights, type Role } from './rights.js';

export type WriteMode = 'create' | 'replace' | 'update';

export interface BuiltIns {
  roles: Record<string, Role>;
  profiles: Record<string, Profile>;
}

type Kind = 'role' | 'profile';

interface Row {
  id: string;
  content: string;
}

export class RightsStore {
  readonly #builtIns: BuiltIns;
  readonly #roles = new Map<string, Role>();
  readonly #profiles = new Map<string, Profile>();
  readonly #upsert: Record<Kind, Statement<[string, string, number]>>;
  readonly #delete: Record<Kind, Statement<[string]>>;
  readonly #profileHeld: Statement<[string]>;
  readonly #restrict: () => void;
  /** Profiles that cannot be deleted even when no user holds them yet: RESTRICTED_PROFILES and plugins' allowedProfiles. */
  readonly #reservedProfiles: ReadonlySet<string>;
  #rights: Rights;

  constructor(db: KernelDb, builtIns: BuiltIns, reservedProfiles: readonly string[] = []) {
    this.#builtIns = builtIns;
    this.#reservedProfiles = new Set(reservedProfiles);
    const upsert = (table: string) => db.prepare<[string, string, number]>(`INSERT INTO ${table} (id, content, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`);
    this.#upsert = { role: upsert('roles'), profile: upsert('profiles') };
    this.#delete = { role: db.prepare('DELETE FROM roles WHERE id = ?'), profile: db.prepare('DELETE FROM profiles WHERE id = ?') };
    this.#profileHeld = db.prepare('SELECT 1 FROM user_profiles WHERE profile = ? LIMIT 1');
    this.#restrict = db.transaction(() => {
      for (const id of ['default', 'anonymous']) {
        this.#delete.role.run(id);
        this.#delete.profile.run(id);
      }
    });
    for (const [id, role] of Object.entries(builtIns.roles)) this.#roles.set(id, role);
    for (const [id, profile] of Object.entries(builtIns.profiles)) this.#profiles.set(id, profile);
    const rows = (table: string) => db.prepare<[], Row>(`SELECT id, content FROM ${table}`).all();
    for (const row of rows('roles')) this.#roles.set(row.id, storedRow('roles', row, roleSchema));
    for (const row of rows('profiles')) this.#profiles.set(row.id, storedRow('profiles', row, profileSchema));
    this.#rights = this.#build();
  }

  /** The rights in force now: a new object after every change (its decision cache starts empty). */
  get rights(): Rights {
    return this.#rights;
  }

  role(id: string): Role {
    const role = this.#roles.get(id);
    if (role === undefined) throw new PluginError('security.role.not_found', id);
    return role;
  }

  profile(id: string): Profile {
    const profile = this.#profiles.get(id);
    if (profile === undefined) throw new PluginError('security.profile.not_found', id);
    return profile;
  }

  roleIds(): string[] {
    return [...this.#roles.keys()].sort();
  }

  profileIds(): string[] {
    return [...this.#profiles.keys()].sort();
  }

  hasRole(id: string): boolean {
    return this.#roles.has(id);
  }

  hasProfile(id: string): boolean {
    return this.#profiles.has(id);
  }

  /**
   * Creates (400 `services.storage.document_already_exists` if it exists),
   * replaces, or updates (404 if it does not exist) a role.
   */
  writeRole(id: string, role: Role, mode: WriteMode): Role {
    this.#assertMode('role', this.#roles.has(id), id, mode);
    assertRoleInvariants(id, role);
    return this.#write('role', id, role, this.#roles);
  }

  /** As writeRole; every role a policy names must exist (404 `security.role.not_found`). */
  writeProfile(id: string, profile: Profile, mode: WriteMode): Profile {
    this.#assertMode('profile', this.#profiles.has(id), id, mode);
    assertProfileInvariants(id, profile);
    for (const { roleId } of profile.policies) this.role(roleId);
    return this.#write('profile', id, profile, this.#profiles);
  }

  /** 400 for a standard role, 404 for an unknown one, 412 while a profile names it. */
  deleteRole(id: string): void {
    if (isStandard(id)) throw new PluginError('security.role.cannot_delete');
    this.role(id);
    const named = [...this.#profiles.values()].some((profile) => profile.policies.some((policy) => policy.roleId === id));
    if (named) throw new PluginError('security.role.in_use', id);
    this.#remove('role', id, this.#roles);
  }

  /** 400 for a standard profile, 404 for an unknown one, 412 while a user holds it or it is reserved. */
  deleteProfile(id: string): void {
    if (isStandard(id)) throw new PluginError('security.profile.cannot_delete');
    this.profile(id);
    if (this.#reservedProfiles.has(id) || this.#profileHeld.get(id) !== undefined) throw new PluginError('security.profile.in_use', id);
    this.#remove('profile', id, this.#profiles);
  }

  /** Kuzzle's restrictDefaultRights: the default and anonymous roles and profiles back to the built-in (restricted) ones. */
  restrictDefaults(): void {
    this.#restrict();
    for (const id of ['default', 'anonymous']) {
      this.#roles.set(id, this.#builtIns.roles[id]!);
      this.#profiles.set(id, this.#builtIns.profiles[id]!);
    }
    this.#rights = this.#build();
  }

  #assertMode(kind: Kind, exists: boolean, id: string, mode: WriteMode): void {
    if (mode === 'create' && exists) throw new PluginError('services.storage.document_already_exists');
    if (mode === 'update' && !exists) throw new PluginError(kind === 'role' ? 'security.role.not_found' : 'security.profile.not_found', id);
  }

  #write<T>(kind: Kind, id: string, content: T, map: Map<string, T>): T {
    this.#upsert[kind].run(id, JSON.stringify(content), Date.now());
    map.set(id, content);
    this.#rights = this.#build();
    return content;
  }

  #remove<T>(kind: Kind, id: string, map: Map<string, T>): void {
    this.#delete[kind].run(id);
    map.delete(id);
    this.#rights = this.#build();
  }

  #build(): Rights {
    const entries = [...this.#profiles];
    const roleIds = Object.fromEntries(entries.map(([id, profile]) => [id, profile.policies.map((policy) => policy.roleId)]));
    const rateLimits = Object.fromEntries(entries.map(([id, profile]) => [id, profile.rateLimit]));
    return new Rights(Object.fromEntries(this.#roles), roleIds, rateLimits);
  }
}

/**
 * A stored row, checked as the API checks input: the database is ours, but
 * a hand edit or a restore must not put a malformed role in force, nor
 * replace the built-in admin (which the API never stores).
 */
function storedRow<T>(table: string, row: Row, schema: z.ZodType<T>): T {
  const where = `kernel.sqlite: ${table} row "${row.id}"`;
  if (row.id === 'admin') throw new Error(`${where}: the admin ${table === 'roles' ? 'role' : 'profile'} is built in; delete the row`);
  let content: unknown;
  try {
    content = JSON.parse(row.content);
  } catch {
    throw new Error(`${where} is not JSON; fix or delete it`);
  }
  const parsed = schema.safeParse(content);
  if (!parsed.success) throw new Error(`${where} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); fix or delete it`);
  return parsed.data;
}

function isStandard(id: string): boolean {
  return (STANDARD_IDS as readonly string[]).includes(id);
}
