/**
 * The auth controller's session actions: login, logout, checkToken,
 * refreshToken, createToken, getCurrentUser, updateSelf, getStrategies. They
 * act on the caller only; the credentials actions are in auth-credentials.ts,
 * API keys in api-keys.ts.
 *
 * Cookie mode (`cookieAuth` on login, logout, checkToken, refreshToken):
 * the token is set as the `authToken` cookie (http/session-cookie.ts)
 * instead of being answered as `jwt`; the pipeline reads it back.
 */
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { defineAction, Reply, type Action, type ApiRequest } from '../action.js';
import { boolArg, expiresInArg, objectSchema } from '../input.js';
import { callerOf } from '../pipeline.js';
import { strategyArg } from '../credential-operations.js';
import { loginRequest } from '../plugin-request.js';
import type { ApiSettings, KernelServices } from '../services.js';
import { explained } from '../../audit/audit-reasons.js';
import { clearedSessionCookie, cookieIsSecure, sessionCookie } from '../../http/session-cookie.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { isInfinite, parseExpiresIn } from '../../tokens/expires-in.js';
import type { IssuedToken, VerifiedToken } from '../../tokens/token-store.js';


export function authSessionActions(): Action[] {
  return [
    defineAction({
      controller: 'auth',
      action: 'login',
      http: [{ verb: 'post', path: '/_login/:strategy' }, { verb: 'get', path: '/_login/:strategy' }],
      summary: "Logs in with a strategy (body: the strategy's fields); answers a token",
      tolerateBadToken: true,
      args: z.object({ strategy: strategyArg, expiresIn: expiresInArg, cookieAuth: boolArg }),
      body: objectSchema.optional(),
      async handler({ args, request }, services) {
        const ttl = parseExpiresIn(args.expiresIn, services.settings.tokenTtlMs, services.settings.tokenMaxTtlMs);
        // Before the strategy: a throttled attempt costs no plugin call (and no bcrypt).
        const throttle = services.loginThrottle;
        const attempt = throttle.admit(request.ip, args.strategy, request.body, request.args);
        const outcome = await services.strategies.call(args.strategy, 'verify', { strategy: args.strategy, request: loginRequest(request) }).catch((error: unknown) => {
          // A strategy may refuse credentials by throwing a 401; anything else (503, 504, its own 429) says nothing about them.
          throttle.settle(attempt, error instanceof PluginError && error.status === 401 ? 'failed' : 'void');
          throw error;
        });
        switch (outcome.kind) {
          case 'success': {
            assertLoginAllowed(services, args.strategy, outcome.kuid);
            throttle.settle(attempt, 'succeeded');
            return tokenAnswer(services.tokens.issue(outcome.kuid, ttl), args.cookieAuth, request, services.settings);
          }
          case 'redirect':
            // A multi-step strategy (OAuth): the client follows Location.
            throttle.settle(attempt, 'void');
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
      exemptFromRateLimit: true,
      summary: "Revokes the caller's token, or with `global` every token of the caller (API keys are kept); with `cookieAuth` also clears the cookie",
      args: z.object({ global: boolArg, cookieAuth: boolArg }),
      handler({ args, request }, services) {
        const { user, token } = request.caller;
        if (args.global) services.tokens.revokeUser(user._id);
        // As Kuzzle: logging out with an API key acknowledges and keeps the key (deleteApiKey removes it).
        else if (token !== null && token.kind === 'token') services.tokens.revoke(token.jti);
        // Deviation: Kuzzle only clears the cookie; the token it held is revoked above like any other.
        if (!args.cookieAuth) return { acknowledged: true };
        const secure = cookieIsSecure(services.settings.cookieSecure, request.https);
        return new Reply({ acknowledged: true }, 200, { 'Set-Cookie': clearedSessionCookie(secure) });
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'checkToken',
      http: [{ verb: 'post', path: '/_checkToken' }],
      summary: "Whether a token is valid (the body's, or with `cookieAuth` the cookie's): `{valid, state?, kuid, expiresAt}` (always HTTP 200)",
      tolerateBadToken: true,
      args: z.object({ cookieAuth: boolArg }),
      // No length limit: the token store refuses one past MAX_TOKEN_LENGTH first thing, so it is {valid: false} like any bad token, never a 400.
      body: z.object({ token: z.string().nullable().optional() }).optional(),
      handler({ args, body, request }, services) {
        // In cookie mode the token is the one the request carries (the pipeline put the cookie's there), as in Kuzzle.
        const token = args.cookieAuth ? request.jwt : body?.token;
        if (token === undefined || token === null || token === '') return { valid: true, kuid: ANONYMOUS_KUID, expiresAt: null };
        try {
          // Looking does not use up a single-use token.
          const caller = callerOf(token, services);
          return { valid: true, kuid: caller.user._id, expiresAt: publicExpiry(caller.token) };
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
      summary: 'A new token for the caller; the old one keeps working 1 s and can never be refreshed again (API keys: 401)',
      args: z.object({ expiresIn: expiresInArg, cookieAuth: boolArg }),
      handler({ args, request }, services) {
        const ttl = parseExpiresIn(args.expiresIn, services.settings.tokenTtlMs, services.settings.tokenMaxTtlMs);
        const { user, token } = request.caller;
        if (token === null) throw new PluginError('security.rights.unauthorized', 'auth', 'refreshToken');
        services.tokens.markRefreshed(token);
        return tokenAnswer(services.tokens.issue(user._id, ttl), args.cookieAuth, request, services.settings);
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'createToken',
      http: [{ verb: 'post', path: '/_createToken' }],
      summary: 'A new token for the caller, with `singleUse` valid for one request only: `{token, ttl, expiresAt, singleUse}`',
      args: z.object({ expiresIn: expiresInArg, singleUse: boolArg }),
      handler({ args, request }, services) {
        // Kuzzle's rule: a token that never expires would live in memory for ever; that is what API keys are for.
        if (isInfinite(args.expiresIn)) throw new PluginError('security.token.invalid_expiration', 'expiresIn', 'cannot be infinite');
        const ttl = parseExpiresIn(args.expiresIn, services.settings.tokenTtlMs, services.settings.tokenMaxTtlMs);
        const { user, token } = request.caller;
        if (token === null) throw new PluginError('security.rights.unauthorized', 'auth', 'createToken');
        const issued = services.tokens.issue(user._id, ttl, args.singleUse);
        return { token: issued.jwt, ttl: issued.ttl, expiresAt: issued.expiresAt, singleUse: issued.singleUse };
      },
    }),
    defineAction({
      controller: 'auth',
      action: 'getCurrentUser',
      http: [{ verb: 'get', path: '/_me' }, { verb: 'get', path: '/users/_me', deprecated: true }],
      summary: 'The caller: `{_id, _source, strategies}`',
      handler({ request }, services) {
        const { user } = request.caller;
        const strategies = user._id === ANONYMOUS_KUID ? [] : strategiesOf(user._id, services);
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

/**
 * A strategy's verify named `kuid`: the user must exist, and hold
 * credentials in that strategy by the credential ledger, or the login gets
 * the answer of any failed login (only the audit log has the reason). A
 * plugin naming a user it was never given is misbehaving: its operator is told.
 */
function assertLoginAllowed(services: KernelServices, strategy: string, kuid: string): void {
  // Looked up only to tell the operator: a refusal is no hot path.
  const plugin = () => services.strategies.pluginOf(strategy);
  // get, not exists: it reads through the user cache, and warms it for the new token's first request.
  if (services.users.get(kuid) === null) {
    services.log.warn({ plugin: plugin(), strategy }, 'a strategy approved a login for a user that does not exist');
    throw new PluginError('plugin.strategy.missing_user', FAILED_LOGIN);
  }
  const state = services.ledger.stateOf(strategy, kuid);
  if (state === 'held') return;
  if (state === null) {
    services.log.warn({ plugin: plugin(), strategy, kuid }, `plugin "${plugin()}" approved a login for a user it never enrolled in strategy "${strategy}": refused`);
    throw explained(new PluginError('plugin.strategy.missing_user', FAILED_LOGIN), 'not enrolled');
  }
  // Its credentials are being created (or deleted) by a request still running.
  throw explained(new PluginError('plugin.strategy.missing_user', FAILED_LOGIN), `credentials ${state}`);
}

/** What a login refused by the kernel answers: the words of a wrong password, so no refusal tells more than another. */
const FAILED_LOGIN = 'wrong username or password';

/** A new token: `{_id, jwt, expiresAt, ttl}`, or in cookie mode the cookie and the same without `jwt`. */
function tokenAnswer(token: IssuedToken, cookieAuth: boolean, request: ApiRequest, settings: ApiSettings) {
  if (!cookieAuth) return { _id: token._id, jwt: token.jwt, expiresAt: token.expiresAt, ttl: token.ttl };
  const cookie = sessionCookie(token.jwt, token.expiresAt, cookieIsSecure(settings.cookieSecure, request.https));
  return new Reply({ _id: token._id, expiresAt: token.expiresAt, ttl: token.ttl }, 200, { 'Set-Cookie': cookie });
}

/** A token's expiry as clients read it: ms epoch, -1 for an API key that never expires (as Kuzzle), null for no token. */
function publicExpiry(token: VerifiedToken | null): number | null {
  if (token === null) return null;
  return Number.isFinite(token.expiresAt) ? token.expiresAt : -1;
}

/**
 * The strategies available now in which `kuid` has credentials: those the
 * credential ledger records (the ones a login can use), without asking
 * every plugin's `exists`.
 */
export function strategiesOf(kuid: string, services: KernelServices): string[] {
  const available = new Set(services.strategies.names());
  return services.ledger.strategiesOf(kuid).filter((strategy) => available.has(strategy));
}
