/**
 * The auth controller's credentials actions, on the caller's own
 * credentials: create, update, validate, delete, exists, get. Each has
 * Kuzzle's current route under `/_me/credentials/` and its older alias
 * under `/credentials/:strategy/_me`, kept for older clients.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { defineAction, type Action, type AuthenticatedRequest, type HttpRoute, type Verb } from '../action.js';
import * as credentials from '../credential-operations.js';
import { objectSchema } from '../input.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';

const args = z.object({ strategy: credentials.strategyArg });

export function authCredentialsActions(): Action[] {
  return [
    defineAction({
      controller: 'auth',
      action: 'createMyCredentials',
      http: routes('post', '/_create'),
      summary: "Creates the caller's credentials in a strategy (validated first); answers the strategy's result",
      args,
      body: objectSchema,
      handler: ({ args, body, request }, services) => credentials.createCredentials(services, request, args.strategy, ownKuid(request), body),
    }),
    defineAction({
      controller: 'auth',
      action: 'updateMyCredentials',
      http: routes('put', '/_update'),
      summary: "Updates the caller's credentials in a strategy (validated first); a new password ends the caller's other sessions",
      args,
      body: objectSchema,
      handler: ({ args, body, request }, services) => credentials.updateCredentials(services, request, args.strategy, ownKuid(request), body),
    }),
    defineAction({
      controller: 'auth',
      action: 'validateMyCredentials',
      http: routes('post', '/_validate'),
      summary: 'Checks credentials for the caller without storing them: true, or why not',
      args,
      body: objectSchema,
      handler: ({ args, body, request }, services) => credentials.validateCredentials(services, request, args.strategy, ownKuid(request), body),
    }),
    defineAction({
      controller: 'auth',
      action: 'deleteMyCredentials',
      http: routes('delete', ''),
      summary: "Deletes the caller's credentials in a strategy",
      args,
      handler: ({ args, request }, services) => credentials.deleteCredentials(services, request, args.strategy, ownKuid(request), true),
    }),
    defineAction({
      controller: 'auth',
      action: 'credentialsExist',
      http: routes('get', '/_exists'),
      summary: 'Whether the caller has credentials in a strategy',
      args,
      handler: ({ args, request }, services) => credentials.credentialsExist(services, request, args.strategy, ownKuid(request)),
    }),
    defineAction({
      controller: 'auth',
      action: 'getMyCredentials',
      http: routes('get', ''),
      summary: "The caller's credentials as the strategy shows them (never a secret); {} if it shows none",
      args,
      handler: ({ args, request }, services) => credentials.credentialsInfo(services, request, args.strategy, ownKuid(request)),
    }),
  ];
}

/** `/_me/credentials/:strategy<suffix>`, and the deprecated `/credentials/:strategy/_me<suffix>`. */
function routes(verb: Verb, suffix: string): HttpRoute[] {
  return [
    { verb, path: `/_me/credentials/:strategy${suffix}` },
    { verb, path: `/credentials/:strategy/_me${suffix}`, deprecated: true },
  ];
}

/**
 * The caller's kuid. Anonymous has no credentials of its own: 401, as
 * Kuzzle's assertIsAuthenticated, even where a role was opened to it.
 */
function ownKuid(request: AuthenticatedRequest): string {
  const kuid = request.caller.user._id;
  if (kuid === ANONYMOUS_KUID) throw new PluginError('security.rights.unauthorized', request.controller, request.action);
  return kuid;
}
