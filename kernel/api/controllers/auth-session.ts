/**
 * The auth controller's session actions: login, logout, checkToken,
 * refreshToken, getCurrentUser, updateSelf, getStrategies. They act on the
 * caller only; the credentials actions are in auth-credentials.ts.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { defineAction, Reply, type Action } from '../action.js';
import { boolArg, expiresInArg, objectSchema } from '../input.js';
import { callerOf } from '../pipeline.js';
import { strategyArg } from '../credential-operations.js';
import { loginRequest, pluginRequest } from '../plugin-request.js';
import type { KernelServices } from '../services.js';
import { explained } from '../../audit/audit-reasons.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { strategiesWithCredentials } from '../../security/user-deletion.js';
import { parseExpiresIn } from '../../tokens/expires-in.js';
import type { IssuedToken } from '../../tokens/token-store.js';


export function authSessionActions(): Action[] {
  return [
    defineAction({
      controller: 'auth',
      action: 'login',
      http: [{ verb: 'post', path: '/_login/:strategy' }, { verb: 'get', path: '/_login/:strategy' }],
      summary: "Logs in with a strategy (body: the strategy's fields); answers a token",
      tolerateBadToken: true,
      args: z.object({ strategy: strategyArg, expiresIn: expiresInArg }),
      body: objectSchema.optional(),
      async handler({ args, request }, services) {
        const ttl = parseExpiresIn(args.expiresIn, services.settings.tokenTtlMs, services.settings.tokenMaxTtlMs);
        const outcome = await services.strategies.call(args.strategy, 'verify', { strategy: args.strategy, request: loginRequest(request) });
        switch (outcome.kind) {
          case 'success': {
            // get, not exists: it reads through the user cache, and warms it for the new token's first request.
            if (services.users.get(outcome.kuid) === null) {
              services.log.warn({ strategy: args.strategy }, 'a strategy approved a login for a user that does not exist');
              throw new PluginError('plugin.strategy.missing_user', 'wrong username or password');
            }
            return tokenResult(services.tokens.issue(outcome.kuid, ttl));
          }
          case 'redirect':
            // A multi-step strategy (OAuth): the client follows Location.
            return new Reply({ headers: { Location: outcome.url } }, outcome.status, { Location: outcome.url });
          case 'fail':
            // The strategy's reason (unknown user, wrong password...) goes to the audit log only.
            throw explained(new PluginError('plugin.strategy.missing_user', outcome.message), outcome.reason);
          case 'pass':
            throw new PluginError('plugin.strategy.missing_user', 'Login failed');
        }
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'logout',
      http: [{ verb: 'post', path: '/_logout' }],
      summary: "Revokes the caller's token, or with `global` every token of the caller",
      args: z.object({ global: boolArg }),
      handler({ args, request }, services) {
        const { user, token } = request.caller;
        if (args.global) services.tokens.revokeUser(user._id);
        else if (token !== null) services.tokens.revoke(token.jti);
        return { acknowledged: true };
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'checkToken',
      http: [{ verb: 'post', path: '/_checkToken' }],
      summary: 'Whether a token is valid: `{valid, state?, kuid, expiresAt}` (always HTTP 200)',
      tolerateBadToken: true,
      body: z.object({ token: z.string().max(4096).nullable().optional() }).optional(),
      handler({ body }, services) {
        const token = body?.token;
        if (token === undefined || token === null || token === '') return { valid: true, kuid: ANONYMOUS_KUID, expiresAt: null };
        try {
          const caller = callerOf(token, services);
          return { valid: true, kuid: caller.user._id, expiresAt: caller.token?.expiresAt ?? null };
        } catch (error) {
          if (!(error instanceof PluginError) || error.id !== 'security.token.invalid') throw error;
          return { valid: false, state: error.message };
        }
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'refreshToken',
      http: [{ verb: 'post', path: '/_refreshToken' }],
      summary: 'A new token for the caller; the old one keeps working 1 s and can never be refreshed again',
      args: z.object({ expiresIn: expiresInArg }),
      handler({ args, request }, services) {
        const ttl = parseExpiresIn(args.expiresIn, services.settings.tokenTtlMs, services.settings.tokenMaxTtlMs);
        const { user, token } = request.caller;
        if (token === null) throw new PluginError('security.rights.unauthorized', 'auth', 'refreshToken');
        services.tokens.markRefreshed(token);
        return tokenResult(services.tokens.issue(user._id, ttl));
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'getCurrentUser',
      http: [{ verb: 'get', path: '/_me' }, { verb: 'get', path: '/users/_me', deprecated: true }],
      summary: 'The caller: `{_id, _source, strategies}`',
      async handler({ request }, services) {
        const { user } = request.caller;
        const strategies = user._id === ANONYMOUS_KUID ? [] : await strategiesOf(user._id, request, services);
        return { _id: user._id, _source: user._source, strategies };
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'updateSelf',
      http: [{ verb: 'put', path: '/_me' }, { verb: 'put', path: '/_updateSelf', deprecated: true }],
      summary: "Merges the body into the caller's content (`_id` and `profileIds` are not allowed)",
      body: objectSchema,
      handler({ body, request }, services) {
        for (const forbidden of ['_id', 'profileIds']) {
          if (Object.hasOwn(body, forbidden)) throw new PluginError('api.assert.forbidden_argument', `body.${forbidden}`);
        }
        return services.users.update(request.caller.user._id, body);
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'getStrategies',
      http: [{ verb: 'get', path: '/strategies' }],
      summary: 'The strategies available now',
      handler: (_input, services) => services.strategies.names(),
    }),
  ];
}

function tokenResult(token: IssuedToken) {
  return { _id: token._id, jwt: token.jwt, expiresAt: token.expiresAt, ttl: token.ttl };
}

/** The strategies available now in which `kuid` has credentials. */
export function strategiesOf(kuid: string, request: Parameters<typeof pluginRequest>[0], services: KernelServices): Promise<string[]> {
  return strategiesWithCredentials(services.strategies, kuid, pluginRequest(request), services.strategies.names());
}
