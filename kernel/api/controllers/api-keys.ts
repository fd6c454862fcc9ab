/**
 * API keys: auth:createApiKey / searchApiKeys / deleteApiKey on the
 * caller's own keys, and the security actions of the same names on any
 * user's (admins). The keys themselves are in tokens/api-key-store.ts.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { defineAction, type Action, type AuthenticatedRequest } from '../action.js';
import { expiresInArg, intArg, objectSchema, stringArg } from '../input.js';
import type { KernelServices } from '../services.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { refuseAnonymous } from '../../security/user-deletion.js';
import { existingUser } from './security-users.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_RESULT_WINDOW } from '../../storage/store-query.js';
import type { ApiKeySpec } from '../../tokens/api-key-store.js';
import { parseApiKeyExpiresIn } from '../../tokens/expires-in.js';

/** `_id` of a key; `refresh` (Kuzzle's `wait_for`) is accepted and has nothing to wait for. */
const createArgs = z.object({ _id: stringArg(128).optional(), expiresIn: expiresInArg });
const createBody = z.object({ description: z.string({ error: 'a string' }).max(1024, { error: 'at most 1024 characters' }) });
const searchArgs = z.object({ from: intArg(0, MAX_RESULT_WINDOW).optional(), size: intArg(0, MAX_PAGE_SIZE).optional() });
const searchBody = objectSchema.optional();
const userIdArg = stringArg(128);

export function apiKeyActions(): Action[] {
  return [...ownKeyActions(), ...userKeyActions()];
}

function ownKeyActions(): Action[] {
  return [
    defineAction({
      controller: 'auth',
      action: 'createApiKey',
      http: [{ verb: 'post', path: '/api-keys/_create' }],
      summary: 'Creates an API key for the caller (body `{description}`; `expiresIn`, -1 or absent: never); the only answer that shows the key',
      args: createArgs,
      body: createBody,
      handler({ args, body, request }, services) {
        const expiresIn = parseApiKeyExpiresIn(args.expiresIn, services.settings.apiKeyMaxTtlMs);
        return services.tokens.apiKeys.create(caller(request), keySpec(args._id, body.description, expiresIn));
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'searchApiKeys',
      http: [{ verb: 'post', path: '/api-keys/_search' }],
      summary: "The caller's API keys matching a query (`match_all`, `match`, `term`, `bool`): `{hits, total}`, never the keys themselves",
      args: searchArgs,
      body: searchBody,
      handler: ({ args, body, request }, services) => search(services, caller(request), body, args),
    }),
    defineAction({
      controller: 'auth',
      action: 'deleteApiKey',
      http: [{ verb: 'delete', path: '/api-keys/:_id' }],
      summary: "Deletes one of the caller's API keys, refused from the next request on: `{_id}`",
      args: z.object({ _id: stringArg(128) }),
      handler({ args, request }, services) {
        services.tokens.apiKeys.delete(caller(request), args._id);
        return { _id: args._id };
      },
    }),
  ];
}

function userKeyActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'createApiKey',
      http: [{ verb: 'post', path: '/users/:userId/api-keys/_create' }],
      summary: 'Creates an API key for a user, as auth:createApiKey but not bounded by API_KEY_MAX_TTL (as Kuzzle)',
      args: createArgs.extend({ userId: userIdArg }),
      body: createBody,
      handler({ args, body }, services) {
        keyOwner(services, args.userId);
        return services.tokens.apiKeys.create(args.userId, keySpec(args._id, body.description, parseApiKeyExpiresIn(args.expiresIn, null)));
      },
    }),
    defineAction({
      controller: 'security',
      action: 'searchApiKeys',
      http: [{ verb: 'post', path: '/users/:userId/api-keys/_search' }],
      summary: "A user's API keys matching a query, as auth:searchApiKeys",
      args: searchArgs.extend({ userId: userIdArg }),
      body: searchBody,
      handler: ({ args, body }, services) => search(services, keyOwner(services, args.userId), body, args),
    }),
    defineAction({
      controller: 'security',
      action: 'deleteApiKey',
      http: [{ verb: 'delete', path: '/users/:userId/api-keys/:_id' }],
      summary: "Deletes one of a user's API keys: `{_id}`",
      args: z.object({ userId: userIdArg, _id: stringArg(128) }),
      handler({ args }, services) {
        services.tokens.apiKeys.delete(keyOwner(services, args.userId), args._id);
        return { _id: args._id };
      },
    }),
  ];
}

/** The caller's kuid; anonymous has no keys (its role does not grant these actions; this holds if one ever does). */
function caller(request: AuthenticatedRequest): string {
  const kuid = request.caller.user._id;
  if (kuid === ANONYMOUS_KUID) throw new PluginError('security.rights.unauthorized', request.controller, request.action);
  return kuid;
}

/** A stored user's kuid: 400 for the anonymous user (built in, it has no keys), 404 `security.user.not_found` for an unknown one. */
function keyOwner(services: KernelServices, kuid: string): string {
  refuseAnonymous(kuid, 'userId');
  return existingUser(services, kuid)._id;
}

/** Ids starting with "_" would read as actions (`_search`, `_create`): refused, as Kuzzle does. */
function keySpec(id: string | undefined, description: string, ttlMs: number | null): ApiKeySpec {
  if (id?.startsWith('_')) throw new PluginError('api.assert.invalid_id');
  return { ...(id === undefined ? {} : { id }), description, ttlMs };
}

function search(services: KernelServices, kuid: string, query: unknown, page: { from?: number | undefined; size?: number | undefined }) {
  return services.tokens.apiKeys.search(kuid, query, page.from ?? 0, page.size ?? DEFAULT_PAGE_SIZE);
}
