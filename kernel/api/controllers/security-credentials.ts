/**
 * The security controller's credentials actions, on any user's
 * credentials: create, update, delete, get, exists, validate, fields,
 * search users by credentials. Actions on a kuid check that the user
 * exists (404 `security.user.not_found`) before asking the plugin, so a
 * plugin never holds credentials for a user the kernel does not know.
 */
import * as z from 'zod';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { defineAction, type Action } from '../action.js';
import * as credentials from '../credential-operations.js';
import { intArg, objectSchema, stringArg } from '../input.js';
import { pluginRequest } from '../plugin-request.js';
import type { KernelServices } from '../services.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_RESULT_WINDOW } from '../../storage/store-query.js';
import { existingUser } from './security-users.js';

const strategyArgs = z.object({ strategy: credentials.strategyArg });
const userArgs = z.object({ strategy: credentials.strategyArg, _id: stringArg(128) });
const searchArgs = z.object({ strategy: credentials.strategyArg, from: intArg(0, MAX_RESULT_WINDOW).optional(), size: intArg(0, MAX_PAGE_SIZE).optional() });
/** The query's form is the strategy's (local: `{username}` or `{usernamePrefix}`); an absent one is `{}`, for the plugin to judge. */
const searchBody = z.object({ query: objectSchema.optional() }).optional();

export function securityCredentialsActions(): Action[] {
  return [...writeActions(), ...readActions()];
}

function writeActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'createCredentials',
      http: [{ verb: 'post', path: '/credentials/:strategy/:_id/_create' }],
      summary: "Creates a user's credentials in a strategy (validated first); answers the strategy's result",
      args: userArgs,
      body: objectSchema,
      handler: ({ args, body, request }, services) => credentials.createCredentials(services, request, args.strategy, credentialsOwner(services, args), body),
    }),
    defineAction({
      controller: 'security',
      action: 'updateCredentials',
      http: [{ verb: 'put', path: '/credentials/:strategy/:_id/_update' }],
      summary: "Updates a user's credentials in a strategy (validated first); a new password ends the user's sessions",
      args: userArgs,
      body: objectSchema,
      handler: ({ args, body, request }, services) => credentials.updateCredentials(services, request, args.strategy, credentialsOwner(services, args), body),
    }),
    defineAction({
      controller: 'security',
      action: 'deleteCredentials',
      http: [{ verb: 'delete', path: '/credentials/:strategy/:_id' }],
      summary: "Deletes a user's credentials in a strategy",
      args: userArgs,
      handler: ({ args, request }, services) => credentials.deleteCredentials(services, request, args.strategy, credentialsOwner(services, args)),
    }),
    defineAction({
      controller: 'security',
      action: 'validateCredentials',
      http: [{ verb: 'post', path: '/credentials/:strategy/:_id/_validate' }],
      summary: 'Checks credentials for a user without storing them: true, or why not',
      args: userArgs,
      body: objectSchema,
      // The user need not exist: clients validate credentials before creating the user (as Kuzzle allows).
      handler: ({ args, body, request }, services) => credentials.validateCredentials(services, request, args.strategy, args._id, body),
    }),
  ];
}

function readActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'getCredentials',
      http: [{ verb: 'get', path: '/credentials/:strategy/:_id' }],
      summary: "A user's credentials as the strategy shows them (never a secret); {} if it shows none",
      args: userArgs,
      handler: ({ args, request }, services) => credentials.credentialsInfo(services, request, args.strategy, credentialsOwner(services, args)),
    }),
    defineAction({
      controller: 'security',
      action: 'getCredentialsById',
      http: [{ verb: 'get', path: '/credentials/:strategy/:_id/_byId' }],
      summary: "Credentials by the strategy's own id (local: the username); {} from a strategy without getById",
      args: userArgs,
      // `_id` is the strategy's id, not a kuid: there is no user to check.
      handler: ({ args, request }, services) => services.strategies.call(args.strategy, 'getById', { request: pluginRequest(request), id: args._id, strategy: args.strategy }),
    }),
    defineAction({
      controller: 'security',
      action: 'hasCredentials',
      http: [{ verb: 'get', path: '/credentials/:strategy/:_id/_exists' }],
      summary: 'Whether a user has credentials in a strategy',
      args: userArgs,
      handler: ({ args, request }, services) => credentials.credentialsExist(services, request, args.strategy, credentialsOwner(services, args)),
    }),
    defineAction({
      controller: 'security',
      action: 'getCredentialFields',
      http: [{ verb: 'get', path: '/credentials/:strategy/_fields' }],
      summary: 'The credential fields a strategy reads',
      args: strategyArgs,
      handler: ({ args }, services) => services.strategies.fieldsOf(args.strategy),
    }),
    defineAction({
      controller: 'security',
      action: 'getAllCredentialFields',
      http: [{ verb: 'get', path: '/credentials/_fields' }],
      summary: 'The credential fields of every available strategy: {strategy: fields}',
      handler: (_input, services) => Object.fromEntries(services.strategies.names().map((name) => [name, services.strategies.fieldsOf(name)])),
    }),
    defineAction({
      controller: 'security',
      action: 'searchUsersByCredentials',
      http: [{ verb: 'post', path: '/credentials/:strategy/users/_search' }],
      summary: "Users found by their credentials (body {query}, in the strategy's terms); `from`, `size`",
      args: searchArgs,
      body: searchBody,
      // A strategy without `search` answers Kuzzle's plugin.strategy.missing_optional_method (from the isolate).
      handler: ({ args, body, request }, services) =>
        services.strategies.call(args.strategy, 'search', {
          request: pluginRequest(request),
          query: body?.query ?? ({} as JsonObject),
          strategy: args.strategy,
          from: args.from ?? 0,
          size: args.size ?? DEFAULT_PAGE_SIZE,
        }),
    }),
  ];
}

/** The kuid of a user that exists; an unknown strategy is reported first, as Kuzzle does. */
function credentialsOwner(services: KernelServices, args: { strategy: string; _id: string }): string {
  services.strategies.assertAvailable(args.strategy);
  return existingUser(services, args._id)._id;
}
