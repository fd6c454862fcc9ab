/**
 * The security controller's actions that change or delete users: update,
 * replace, upsert, delete, mDelete, and token revocation. The anonymous
 * user "-1" is built in, not stored: it can be neither changed nor deleted
 * (400). Every change is logged with who made it.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { defineAction, type Action } from '../action.js';
import { objectSchema } from '../input.js';
import { pluginRequest } from '../plugin-request.js';
import type { KernelServices } from '../services.js';
import { assertProfiles, createUserWithCredentials } from '../../security/user-creation.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { deleteUsers, refuseAnonymous } from '../../security/user-deletion.js';
import { existingUser, kuidArgs, kuidsSchema, profileIdsSchema } from './security-users.js';

export function securityUserAdminActions(): Action[] {
  return [...changeActions(), ...deletionActions()];
}

function changeActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'updateUser',
      http: [{ verb: 'put', path: '/users/:_id/_update' }],
      summary: "Merges the body into a user's content; `profileIds`, if given, replaces the user's profiles",
      args: kuidArgs,
      body: objectSchema.and(z.object({ profileIds: profileIdsSchema.nullable().optional() })),
      handler({ args, body }, services) {
        const { profileIds, _id, ...content } = body;
        changeable(services, args._id, profileIds);
        if (profileIds !== null && profileIds !== undefined) assertProfiles(services.rights, profileIds);
        const changes: JsonObject = profileIds === null || profileIds === undefined ? content : { ...content, profileIds };
        return services.users.update(args._id, changes);
      },
    }),
    defineAction({
      controller: 'security',
      action: 'replaceUser',
      http: [{ verb: 'put', path: '/users/:_id/_replace' }],
      summary: "Replaces a user's content; the body must carry `profileIds`",
      args: kuidArgs,
      body: objectSchema.and(z.object({ profileIds: profileIdsSchema })),
      handler({ args, body }, services) {
        const { profileIds, _id, ...content } = body;
        changeable(services, args._id, profileIds);
        assertProfiles(services.rights, profileIds);
        return services.users.replace(args._id, content, profileIds);
      },
    }),
    defineAction({
      controller: 'security',
      action: 'upsertUser',
      http: [{ verb: 'post', path: '/users/:_id/_upsert' }],
      summary: 'Updates a user as updateUser, or creates it (content over `default`, with `credentials`, all or nothing)',
      args: kuidArgs,
      body: z.object({
        content: objectSchema.and(z.object({ profileIds: profileIdsSchema })),
        credentials: z.record(z.string().max(64), objectSchema).optional(),
        default: objectSchema.optional(),
      }),
      async handler({ args, body, request }, services) {
        const { profileIds, _id, ...content } = body.content;
        if (args._id === ANONYMOUS_KUID && !profileIds.includes('anonymous')) throw new PluginError('security.user.anonymous_profile_required');
        refuseAnonymous(args._id);
        assertProfiles(services.rights, profileIds);
        if (services.users.exists(args._id)) {
          // As Kuzzle: credentials only matter when the user is created.
          return services.users.update(args._id, { ...content, profileIds });
        }
        const { _id: _ignored, profileIds: _profiles, ...defaults } = body.default ?? {};
        const user = { kuid: args._id, content: { ...defaults, ...content }, profileIds, credentials: body.credentials ?? {} };
        return await createUserWithCredentials(services, user, pluginRequest(request));
      },
    }),
  ];
}

function deletionActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'deleteUser',
      http: [{ verb: 'delete', path: '/users/:_id' }],
      summary: 'Deletes a user, its credentials in every strategy and its tokens: `{_id}`',
      args: kuidArgs,
      async handler({ args, request }, services) {
        await deleteUsers(services, [args._id], pluginRequest(request));
        return { _id: args._id };
      },
    }),
    defineAction({
      controller: 'security',
      action: 'mDeleteUsers',
      http: [{ verb: 'post', path: '/users/_mDelete' }],
      summary: 'Deletes users as deleteUser, all or none if one is unknown or a plugin is down: the kuids deleted',
      body: z.object({ ids: kuidsSchema }),
      async handler({ body, request }, services) {
        const deleted = await deleteUsers(services, body.ids, pluginRequest(request), 'body.ids');
        return deleted;
      },
    }),
    defineAction({
      controller: 'security',
      action: 'revokeTokens',
      http: [{ verb: 'delete', path: '/users/:_id/tokens' }],
      summary: 'Revokes every token of a user at once; answers null, as Kuzzle',
      args: kuidArgs,
      handler({ args }, services) {
        changeable(services, args._id);
        services.tokens.revokeUser(args._id);
        return null;
      },
    }),
  ];
}

/**
 * A user that may be changed: stored (404 otherwise), and not the anonymous
 * user (400; "-1" is built in, not stored). Kuzzle's own check comes first:
 * new profiles without `anonymous` for "-1" are `anonymous_profile_required`.
 */
function changeable(services: KernelServices, kuid: string, profileIds?: readonly string[] | null): void {
  if (kuid === ANONYMOUS_KUID && profileIds && !profileIds.includes('anonymous')) throw new PluginError('security.user.anonymous_profile_required');
  refuseAnonymous(kuid);
  existingUser(services, kuid);
}

