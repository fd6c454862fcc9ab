/**
 * Who may do what, asked through the API: auth:getMyRights and
 * auth:checkRights for the caller; security:getUserRights,
 * getProfileRights and checkRights for anyone; and
 * security:restrictDefaultRights.
 *
 * Rights listings name every action the server has, each `allowed` or
 * `denied` (Kuzzle lists role rules, wildcards included; a list of concrete
 * actions answers "may I call this?" without re-implementing the rule
 * precedence in the client). `index` and `collection` are always `*`:
 * Portcullis has no documents.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { defineAction, type Action } from '../action.js';
import type { KernelServices } from '../services.js';
import { securityIdSchema } from '../../security/role-definitions.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { ANONYMOUS_USER } from '../pipeline.js';
import { stringArg } from '../input.js';

/** The request whose rights are checked: Kuzzle's checkRights body. */
const checkedRequest = z.object({ controller: stringArg(128), action: stringArg(128) });

export function rightsQueryActions(): Action[] {
  return [
    defineAction({
      controller: 'auth',
      action: 'getMyRights',
      http: [{ verb: 'get', path: '/_me/_rights' }, { verb: 'get', path: '/users/_me/_rights', deprecated: true }],
      summary: "The caller's rights on every action: `{hits: [{controller, action, index, collection, value}], total}`",
      handler: ({ request }, services) => rightsOf(request.caller.user._source.profileIds, services),
    }),
    defineAction({
      controller: 'auth',
      action: 'checkRights',
      http: [{ verb: 'post', path: '/_checkRights' }],
      summary: 'Whether the caller may run the request in the body (`{controller, action}`): `{allowed}`',
      body: checkedRequest,
      handler: ({ body, request }, services) => ({ allowed: services.rights.check(request.caller.user._source.profileIds, body.controller, body.action) }),
    }),
    defineAction({
      controller: 'security',
      action: 'getUserRights',
      http: [{ verb: 'get', path: '/users/:_id/_rights' }],
      summary: "A user's rights on every action, as getMyRights",
      args: z.object({ _id: stringArg(128) }),
      handler: ({ args }, services) => rightsOf(profilesOfUser(args._id, services), services),
    }),
    defineAction({
      controller: 'security',
      action: 'getProfileRights',
      http: [{ verb: 'get', path: '/profiles/:_id/_rights' }],
      summary: "A profile's rights on every action, as getMyRights",
      args: z.object({ _id: securityIdSchema }),
      handler({ args }, services) {
        services.rightsStore.profile(args._id);
        return rightsOf([args._id], services);
      },
    }),
    defineAction({
      controller: 'security',
      action: 'checkRights',
      http: [{ verb: 'post', path: '/_checkRights/:userId' }],
      summary: 'Whether a user may run the request in the body (`{controller, action}`): `{allowed}`',
      args: z.object({ userId: stringArg(128) }),
      body: checkedRequest,
      handler: ({ args, body }, services) => ({ allowed: services.rights.check(profilesOfUser(args.userId, services), body.controller, body.action) }),
    }),
    defineAction({
      controller: 'security',
      action: 'restrictDefaultRights',
      http: [{ verb: 'post', path: '/_restrictDefaultRights' }],
      summary: 'Puts the default and anonymous roles and profiles back to the built-in, restricted ones',
      handler(_input, services) {
        services.rightsStore.restrictDefaults();
        return null;
      },
    }),
  ];
}

/** 404 `security.user.not_found` for an unknown user; the anonymous user is built in. */
function profilesOfUser(kuid: string, services: KernelServices): readonly string[] {
  if (kuid === ANONYMOUS_KUID) return ANONYMOUS_USER._source.profileIds;
  const user = services.users.get(kuid);
  if (user === null) throw new PluginError('security.user.not_found', kuid);
  return user._source.profileIds;
}

function rightsOf(profileIds: readonly string[], services: KernelServices) {
  const hits = services.actions().map(({ controller, action }) => ({
    controller,
    action,
    index: '*',
    collection: '*',
    value: services.rights.allows(profileIds, controller, action) ? 'allowed' : 'denied',
  }));
  return { hits, total: hits.length };
}
