/**
 * What a role and a profile may hold, and the invariants Kuzzle keeps on
 * them: the anonymous role keeps `auth:login`, the anonymous profile keeps
 * the anonymous role. Portcullis adds one: the admin role and profile keep
 * every right, so no edit can leave a server nobody may administer.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { roleAllows, type Role } from './rights.js';

export const STANDARD_IDS = ['admin', 'default', 'anonymous'] as const;

export interface Policy {
  roleId: string;
  /** Kuzzle's index/collection restrictions: kept as given; Portcullis has no indexes to restrict. */
  restrictedTo?: Array<{ index: string; collections?: string[] }>;
}

export interface Profile {
  policies: Policy[];
  /** Requests per second per user holding this profile; 0 = no limit (Kuzzle's meaning). */
  rateLimit: number;
}

/** Role and profile ids: no leading underscore, no "/" (a URL segment); 64 characters, as users' profileIds and plugins' allowedProfiles. */
export const securityIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^_/\s][^/\s]*$/, 'an id without "/" or spaces, not starting with "_"');

/**
 * Controller and action names: the route table's (`<plugin>/<controller>`
 * for plugin actions) or `*`. (zod's records drop a `__proto__` key, so it
 * never reaches a role; rights.ts reads own keys only anyway.)
 */
const ruleKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w*/.-]+$/, 'a controller or action name, or "*"');

/** 200 controllers of 200 actions each is far past any real role; the bound keeps a role's JSON small. */
const MAX_RULES = 200;
const fewEnough = (record: object) => Object.keys(record).length <= MAX_RULES;

export const roleSchema = z.object({
  controllers: z
    .record(ruleKey, z.object({ actions: z.record(ruleKey, z.boolean()).refine(fewEnough, `at most ${MAX_RULES} actions`) }))
    .refine(fewEnough, `at most ${MAX_RULES} controllers`),
});

const policiesSchema = z
  .array(
    z.object({
      roleId: securityIdSchema,
      restrictedTo: z.array(z.object({ index: z.string().max(256), collections: z.array(z.string().max(256)).max(256).optional() })).max(256).optional(),
    }),
  )
  .min(1)
  .max(64);
/** As Kuzzle, null means 0 (no limit). */
const rateLimitSchema = z.number().int().min(0).max(1_000_000).nullable().transform((limit) => limit ?? 0);

export const profileSchema = z.object({ policies: policiesSchema, rateLimit: rateLimitSchema.default(0) });
/** updateProfile: the fields given replace the stored ones. */
export const profileChangesSchema = z.object({ policies: policiesSchema.optional(), rateLimit: rateLimitSchema.optional() });

/** 400 `api.assert.empty_argument` (as Kuzzle), `security.role.login_required`, `security.rights.admin_protected`. */
export function assertRoleInvariants(id: string, role: Role): void {
  const controllers = Object.entries(role.controllers);
  if (controllers.length === 0) throw new PluginError('api.assert.empty_argument', 'body.controllers');
  const empty = controllers.find(([, rules]) => Object.keys(rules.actions).length === 0);
  if (empty !== undefined) throw new PluginError('api.assert.empty_argument', `body.controllers.${empty[0]}.actions`);
  if (id === 'anonymous' && !roleAllows(role, 'auth', 'login')) throw new PluginError('security.role.login_required');
  if (id === 'admin') throw new PluginError('security.rights.admin_protected', 'role');
}

/** 400 `security.profile.missing_anonymous_role`, `security.rights.admin_protected`. */
export function assertProfileInvariants(id: string, profile: Profile): void {
  if (id === 'anonymous' && !profile.policies.some((policy) => policy.roleId === 'anonymous')) {
    throw new PluginError('security.profile.missing_anonymous_role');
  }
  if (id === 'admin') throw new PluginError('security.rights.admin_protected', 'profile');
}

/**
 * Every rule must name an action the server has, `*` aside (Kuzzle's
 * `security.role.unknown_controller` / `unknown_action`); `force` skips the
 * check, for a plugin not loaded yet.
 */
export function assertKnownActions(id: string, role: Role, actions: ReadonlyArray<{ controller: string; action: string }>): void {
  const known = new Map<string, Set<string>>();
  for (const { controller, action } of actions) {
    let names = known.get(controller);
    if (names === undefined) known.set(controller, (names = new Set()));
    names.add(action);
  }
  const anywhere = new Set(actions.map(({ action }) => action));
  for (const [controller, { actions: rules }] of Object.entries(role.controllers)) {
    const names = controller === '*' ? anywhere : known.get(controller);
    if (names === undefined) throw new PluginError('security.role.unknown_controller', id, controller, 'Use "force" to store it anyway.');
    for (const action of Object.keys(rules)) {
      if (action !== '*' && !names.has(action)) throw new PluginError('security.role.unknown_action', id, action, controller, 'Use "force" to store it anyway.');
    }
  }
}
