/**
 * The security controller's role and profile actions: create,
 * createOrReplace, update, get, mGet, search, delete for each. A change takes
 * effect on the next request (security/rights-store.ts). Results are
 * Kuzzle's: `{_id, _source}`, `{hits}`, `{hits, total}`, `{_id}`.
 */
import * as z from 'zod';
import { defineAction, type Action } from '../action.js';
import type { KernelServices } from '../services.js';
import { boolArg, intArg } from '../input.js';
import { assertKnownActions, profileChangesSchema, profileSchema, roleSchema, securityIdSchema, type Profile } from '../../security/role-definitions.js';
import type { WriteMode } from '../../security/rights-store.js';
import type { Role } from '../../security/rights.js';

const idArgs = z.object({ _id: securityIdSchema });
/** `force` stores rules for controllers or actions the server does not have (a plugin not loaded yet). */
const writeArgs = z.object({ _id: securityIdSchema, force: boolArg });
const idsBody = z.object({ ids: z.array(securityIdSchema, { error: 'an array of ids' }).max(1000) });
const page = z.object({ from: intArg(0, 10_000).optional(), size: intArg(0, 1000).optional() });
/** As Kuzzle's searchRoles and searchProfiles: 10 a page unless `size` says otherwise. */
const DEFAULT_SIZE = 10;

export function securityRoleActions(): Action[] {
  return [...roleWrites(), ...roleReads(), ...profileWrites(), ...profileReads()];
}

function roleWrites(): Action[] {
  const write = (action: string, mode: WriteMode, verb: 'post' | 'put', path: string, summary: string) =>
    defineAction({
      controller: 'security',
      action,
      http: [{ verb, path }],
      summary,
      args: writeArgs,
      body: roleSchema,
      handler({ args, body }, services) {
        if (!args.force) assertKnownActions(args._id, body, services.actions());
        const role = services.rightsStore.writeRole(args._id, body, mode);
        return roleHit(args._id, role);
      },
    });
  return [
    write('createRole', 'create', 'post', '/roles/:_id/_create', 'Creates a role (`{controllers: {<c>: {actions: {<a>: bool}}}}`); 400 if it exists'),
    write('createOrReplaceRole', 'replace', 'put', '/roles/:_id', 'Creates or replaces a role'),
    write('updateRole', 'update', 'put', '/roles/:_id/_update', "Replaces an existing role's rules (as Kuzzle: no partial update of a role)"),
    defineAction({
      controller: 'security',
      action: 'deleteRole',
      http: [{ verb: 'delete', path: '/roles/:_id' }],
      summary: 'Deletes a role no profile uses; the standard roles cannot be deleted',
      args: idArgs,
      handler({ args }, services) {
        services.rightsStore.deleteRole(args._id);
        return { _id: args._id };
      },
    }),
  ];
}

function roleReads(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'getRole',
      http: [{ verb: 'get', path: '/roles/:_id' }],
      summary: 'A role: `{_id, _source: {controllers}}`',
      args: idArgs,
      handler: ({ args }, services) => roleHit(args._id, services.rightsStore.role(args._id)),
    }),
    defineAction({
      controller: 'security',
      action: 'mGetRoles',
      http: [{ verb: 'post', path: '/roles/_mGet' }],
      summary: 'Roles by id (body `{ids}`): `{hits}`; unknown ids are left out',
      body: idsBody,
      handler: ({ body }, services) => ({ hits: body.ids.filter((id) => services.rightsStore.hasRole(id)).map((id) => roleHit(id, services.rightsStore.role(id))) }),
    }),
    defineAction({
      controller: 'security',
      action: 'searchRoles',
      http: [{ verb: 'post', path: '/roles/_search' }],
      summary: 'Roles with rules for any of `controllers` or for `*` (all roles without a list), by id: `{hits, total}`',
      args: page,
      body: z.object({ controllers: z.array(z.string().max(128)).max(1000).optional() }).optional(),
      handler({ args, body }, services) {
        // As Kuzzle: a role with a `*` controller matches any list; no list, or an empty one, matches all.
        const wanted = body?.controllers ?? [];
        const matches = (id: string) => Object.keys(services.rightsStore.role(id).controllers).some((controller) => controller === '*' || wanted.includes(controller));
        const ids = services.rightsStore.roleIds().filter((id) => wanted.length === 0 || matches(id));
        return paged(ids, args, (id) => roleHit(id, services.rightsStore.role(id)));
      },
    }),
  ];
}

function profileWrites(): Action[] {
  const write = <B>(action: string, mode: WriteMode, verb: 'post' | 'put', path: string, body: z.ZodType<B>, profileOf: (body: B, id: string, services: KernelServices) => Profile, summary: string) =>
    defineAction({
      controller: 'security',
      action,
      http: [{ verb, path }],
      summary,
      args: idArgs,
      body,
      handler({ args, body }, services) {
        const profile = services.rightsStore.writeProfile(args._id, profileOf(body, args._id, services), mode);
        return profileHit(args._id, profile);
      },
    });
  const whole = (body: Profile) => body;
  const changed = (body: z.infer<typeof profileChangesSchema>, id: string, services: KernelServices): Profile => ({ ...services.rightsStore.profile(id), ...definedFields(body) });
  return [
    write('createProfile', 'create', 'post', '/profiles/:_id/_create', profileSchema, whole, 'Creates a profile (`{policies: [{roleId}], rateLimit}`); 400 if it exists'),
    write('createOrReplaceProfile', 'replace', 'put', '/profiles/:_id', profileSchema, whole, 'Creates or replaces a profile'),
    write('updateProfile', 'update', 'put', '/profiles/:_id/_update', profileChangesSchema, changed, "Changes an existing profile's `policies` and/or `rateLimit`"),
    defineAction({
      controller: 'security',
      action: 'deleteProfile',
      http: [{ verb: 'delete', path: '/profiles/:_id' }],
      summary: 'Deletes a profile no user holds; the standard profiles cannot be deleted',
      args: idArgs,
      handler({ args }, services) {
        services.rightsStore.deleteProfile(args._id);
        return { _id: args._id };
      },
    }),
  ];
}

function profileReads(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'getProfile',
      http: [{ verb: 'get', path: '/profiles/:_id' }],
      summary: 'A profile: `{_id, _source: {policies, rateLimit}}`',
      args: idArgs,
      handler: ({ args }, services) => profileHit(args._id, services.rightsStore.profile(args._id)),
    }),
    defineAction({
      controller: 'security',
      action: 'mGetProfiles',
      http: [{ verb: 'post', path: '/profiles/_mGet' }],
      summary: 'Profiles by id (body `{ids}`): `{hits}`; unknown ids are left out',
      body: idsBody,
      handler: ({ body }, services) => ({ hits: body.ids.filter((id) => services.rightsStore.hasProfile(id)).map((id) => profileHit(id, services.rightsStore.profile(id))) }),
    }),
    defineAction({
      controller: 'security',
      action: 'searchProfiles',
      http: [{ verb: 'post', path: '/profiles/_search' }],
      summary: 'Profiles with a policy on any of `roles` (all profiles without a list), by id: `{hits, total}`',
      args: page,
      body: z.object({ roles: z.array(z.string().max(128)).max(1000).optional() }).optional(),
      handler({ args, body }, services) {
        const wanted = body?.roles ?? [];
        const ids = services.rightsStore.profileIds().filter((id) => wanted.length === 0 || services.rightsStore.profile(id).policies.some((policy) => wanted.includes(policy.roleId)));
        return paged(ids, args, (id) => profileHit(id, services.rightsStore.profile(id)));
      },
    }),
  ];
}

function roleHit(id: string, role: Role) {
  return { _id: id, _source: { controllers: role.controllers } };
}

function profileHit(id: string, profile: Profile) {
  return { _id: id, _source: { policies: profile.policies, rateLimit: profile.rateLimit } };
}

function paged<T>(ids: string[], args: { from?: number | undefined; size?: number | undefined }, hit: (id: string) => T): { hits: T[]; total: number } {
  const from = args.from ?? 0;
  return { hits: ids.slice(from, from + (args.size ?? DEFAULT_SIZE)).map(hit), total: ids.length };
}

/** A partial body's fields that were given (zod leaves an absent optional field out, but a default could fill it). */
function definedFields<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}
