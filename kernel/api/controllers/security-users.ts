/**
 * The security controller's user actions: first admin, create (all or
 * nothing), read, search, update, delete, strategies, token revocation.
 */
import * as z from 'zod';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { defineAction, type Action, type AuthenticatedRequest } from '../action.js';
import { objectSchema, stringArg } from '../input.js';
import { pluginRequest } from '../plugin-request.js';
import type { KernelServices } from '../services.js';
import { generateKuid } from '../../security/kuid.js';
import { createUserWithCredentials } from '../../security/user-creation.js';

const idArgs = z.object({ _id: stringArg(128).optional(), kuid: z.enum(['human', 'uuid']).optional() });

const credentialsSchema = z.record(z.string().max(64), objectSchema).optional();

const userBody = z.object({
  content: objectSchema.and(z.object({ profileIds: z.array(z.string().max(64), { error: 'an array of profile ids' }).min(1).max(64) })),
  credentials: credentialsSchema,
});

/** Body of createFirstAdmin and createRestrictedUser: profiles are not the caller's to choose. */
const profilelessBody = z
  .object({ content: objectSchema.optional(), credentials: credentialsSchema })
  .refine((body) => body.content === undefined || !Object.hasOwn(body.content, 'profileIds'), {
    error: 'profileIds is not allowed here',
    path: ['content', 'profileIds'],
  });

export function securityUserActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'createFirstAdmin',
      http: [{ verb: 'post', path: '/_createFirstAdmin' }, { verb: 'post', path: '/_createFirstAdmin/:_id' }],
      summary: 'Creates the first admin; open to anyone until an admin exists, then 412',
      openBeforeFirstAdmin: true,
      args: idArgs,
      body: profilelessBody,
      handler: ({ args, body, request }, services) =>
        createUser(services, request, { kuid: args._id ?? generateKuid(args.kuid), content: body.content ?? {}, profileIds: ['admin'], credentials: body.credentials ?? {} }),
    }),
    defineAction({
      controller: 'security',
      action: 'createUser',
      http: [{ verb: 'post', path: '/users/_create' }, { verb: 'post', path: '/users/:_id/_create' }],
      summary: 'Creates a user with credentials, all or nothing',
      args: idArgs,
      body: userBody,
      handler: ({ args, body, request }, services) => {
        const { profileIds, ...content } = body.content;
        return createUser(services, request, { kuid: args._id ?? generateKuid(args.kuid), content, profileIds, credentials: body.credentials ?? {} });
      },
    }),
    defineAction({
      controller: 'security',
      action: 'createRestrictedUser',
      http: [{ verb: 'post', path: '/users/_createRestricted' }, { verb: 'post', path: '/users/:_id/_createRestricted' }],
      summary: 'Creates a user with the configured restricted profiles (content.profileIds is not allowed)',
      args: idArgs,
      body: profilelessBody,
      handler: ({ args, body, request }, services) =>
        createUser(services, request, {
          kuid: args._id ?? generateKuid(args.kuid),
          content: body.content ?? {},
          profileIds: services.settings.restrictedProfileIds,
          credentials: body.credentials ?? {},
        }),
    }),
  ];
}

function createUser(services: KernelServices, request: AuthenticatedRequest, user: { kuid: string; content: JsonObject; profileIds: string[]; credentials: Record<string, JsonObject> }) {
  return createUserWithCredentials(services, user, pluginRequest(request));
}
