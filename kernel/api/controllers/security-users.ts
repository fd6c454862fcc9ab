/**
 * The security controller's user actions: first admin, create (all or
 * nothing), and reads (get, mGet, search, scroll, strategies). Changes and
 * deletions are in security-user-admin.ts.
 */
import Database from 'better-sqlite3';
import * as z from 'zod';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import { defineAction, type Action, type AuthenticatedRequest } from '../action.js';
import { boolArg, intArg, objectSchema, stringArg } from '../input.js';
import { ANONYMOUS_USER } from '../pipeline.js';
import { pluginRequest } from '../plugin-request.js';
import type { KernelServices } from '../services.js';
import { generateKuid } from '../../security/kuid.js';
import { ANONYMOUS_KUID } from '../../security/rights.js';
import { createUserWithCredentials } from '../../security/user-creation.js';
import { parseScrollTtl } from '../../security/user-scroll.js';
import { compileUserSearch } from '../../security/user-sort.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_RESULT_WINDOW } from '../../storage/store-query.js';
// Most ids one mGetUsers or mDeleteUsers takes: the store's own limit (Kuzzle's documentsFetchCount).
import { MAX_IDS } from '../../storage/store-validation.js';
import { strategiesOf } from './auth-session.js';


export const profileIdsSchema = z.array(z.string().max(64), { error: 'an array of profile ids' }).min(1).max(64);

/** A list of kuids in a body, at most {@link MAX_IDS}. */
export const kuidsSchema = z.array(z.string().max(128), { error: 'an array of kuids' }).max(MAX_IDS, { error: `at most ${MAX_IDS} ids` });

const idArgs = z.object({ _id: stringArg(128).optional(), kuid: z.enum(['human', 'uuid']).optional() });

const credentialsSchema = z.record(z.string().max(64), objectSchema).optional();

const userBody = z.object({
  content: objectSchema.and(z.object({ profileIds: profileIdsSchema })),
  credentials: credentialsSchema,
});

/** Body of createFirstAdmin and createRestrictedUser: profiles are not the caller's to choose (see profileless). */
const profilelessBody = z.object({ content: objectSchema.optional(), credentials: credentialsSchema });

export const kuidArgs = z.object({ _id: stringArg(128) });

export function securityUserActions(): Action[] {
  return [...creationActions(), ...readActions()];
}

function creationActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'createFirstAdmin',
      http: [{ verb: 'post', path: '/_createFirstAdmin' }, { verb: 'post', path: '/_createFirstAdmin/:_id' }],
      summary: 'Creates the first admin; open to anyone until an admin exists, then 412. `reset` restores the restricted default rights',
      openBeforeFirstAdmin: true,
      args: idArgs.extend({ reset: boolArg }),
      body: profilelessBody,
      handler: async ({ args, body, request }, services) => {
        // An admin nobody can log in as would close createFirstAdmin for good.
        if (Object.keys(body.credentials ?? {}).length === 0) throw new PluginError('api.assert.missing_argument', 'body.credentials');
        const user = { kuid: args._id ?? generateKuid(args.kuid), content: profileless(body.content), profileIds: ['admin'], credentials: body.credentials ?? {} };
        const admin = await createUserWithCredentials(services, user, pluginRequest(request), () => {
          if (services.users.adminExists()) throw new PluginError('api.process.admin_exists');
        });
        // Kuzzle's reset closes its wide-open defaults. Ours start restricted and only an admin can edit them,
        // so this matters only for a database restored with edited defaults; accepted for compatibility.
        if (args.reset) services.rightsStore.restrictDefaults();
        return admin;
      },
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
        return createUserWithCredentials(services, { kuid: args._id ?? generateKuid(args.kuid), content, profileIds, credentials: body.credentials ?? {} }, pluginRequest(request));
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
        createUserWithCredentials(
          services,
          { kuid: args._id ?? generateKuid(args.kuid), content: profileless(body.content), profileIds: services.settings.restrictedProfileIds, credentials: body.credentials ?? {} },
          pluginRequest(request),
        ),
    }),
  ];
}

function readActions(): Action[] {
  return [
    defineAction({
      controller: 'security',
      action: 'getUser',
      http: [{ verb: 'get', path: '/users/:_id' }],
      summary: 'A user: `{_id, _source}`',
      args: kuidArgs,
      // As Kuzzle: the built-in anonymous user "-1" is answered, though it is not stored.
      handler: ({ args }, services) => (args._id === ANONYMOUS_KUID ? ANONYMOUS_USER : existingUser(services, args._id)),
    }),
    defineAction({
      controller: 'security',
      action: 'mGetUsers',
      http: [{ verb: 'post', path: '/users/_mGet' }, { verb: 'get', path: '/users/_mGet' }],
      summary: 'Users by kuid (body `{ids}`, or `?ids=a,b`): `{hits}`; unknown kuids are left out',
      args: z.object({ ids: z.union([z.string().max(MAX_IDS * 129), kuidsSchema], { error: 'kuids, as an array or separated by commas' }).optional() }),
      body: z.object({ ids: kuidsSchema.optional() }).optional(),
      handler: ({ args, body }, services) => ({ hits: services.users.mGet(idsOf(body?.ids, args.ids)) }),
    }),
    defineAction({
      controller: 'security',
      action: 'searchUsers',
      http: [{ verb: 'post', path: '/users/_search' }],
      summary: 'Users matching a query (`ids`, `match_all`, `term`/`match`/`terms` equality, `bool`), in a `sort` order: `{hits, total, scrollId?}`',
      args: z.object({
        from: intArg(0, MAX_RESULT_WINDOW).optional(),
        size: intArg(0, MAX_PAGE_SIZE).optional(),
        scroll: z.union([z.string().max(32), z.number()]).optional(),
      }),
      body: z.object({ query: z.unknown().optional(), sort: z.unknown().optional(), search_after: z.unknown().optional() }).strict().optional(),
      handler({ args, body, request }, services) {
        const scrollMs = parseScrollTtl(args.scroll);
        const from = args.from ?? 0;
        const query = compileUserSearch(body ?? {}, { from, scroll: scrollMs !== undefined });
        return storeQuery(services, request, () => services.users.search(query, { from, size: args.size ?? DEFAULT_PAGE_SIZE, ...(scrollMs === undefined ? {} : { scrollMs }) }));
      },
    }),
    defineAction({
      controller: 'security',
      action: 'scrollUsers',
      http: [{ verb: 'get', path: '/users/_scroll/:scrollId' }],
      summary: 'The next page of a searchUsers opened with `scroll`; `scroll` renews the cursor',
      args: z.object({ scrollId: stringArg(64), scroll: z.union([z.string().max(32), z.number()]).optional() }),
      handler: ({ args, request }, services) => storeQuery(services, request, () => services.users.scroll(args.scrollId, parseScrollTtl(args.scroll))),
    }),
    defineAction({
      controller: 'security',
      action: 'getUserStrategies',
      http: [{ verb: 'get', path: '/users/:_id/_strategies' }],
      summary: 'The strategies in which a user has credentials: `{strategies, total}`',
      args: kuidArgs,
      handler({ args }, services) {
        if (args._id === ANONYMOUS_KUID) return { strategies: [], total: 0 };
        existingUser(services, args._id);
        const strategies = strategiesOf(args._id, services);
        return { strategies, total: strategies.length };
      },
    }),
  ];
}

/** SQLite's codes for a statement it refuses to prepare or run as written (too deep, too many variables, too big). */
const QUERY_REFUSED = /^SQLITE_(ERROR|TOOBIG|RANGE)(_|$)/;

/**
 * Runs a search: SQLite refusing the query becomes Kuzzle's 400
 * `services.storage.invalid_query`, never a 500, and the cause goes to the
 * log (user-query.ts's bounds should leave no such case). Other SQLite
 * failures (disk, corruption) are the server's, and stay 500s.
 */
function storeQuery<T>(services: KernelServices, request: AuthenticatedRequest, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof Database.SqliteError) || !QUERY_REFUSED.test(error.code)) throw error;
    services.log.warn({ requestId: request.requestId, action: `${request.controller}:${request.action}`, code: error.code, reason: error.message }, 'SQLite refused a user search');
    throw new PluginError('services.storage.invalid_query', 'users', 'the query is too large or too complex to run');
  }
}

/** Content without profileIds: Kuzzle's 400 `api.assert.forbidden_argument` if it has them. */
function profileless(content: JsonObject | undefined): JsonObject {
  if (content !== undefined && Object.hasOwn(content, 'profileIds')) throw new PluginError('api.assert.forbidden_argument', 'body.content.profileIds');
  return content ?? {};
}

/** A stored user, or 404 `security.user.not_found`. */
export function existingUser(services: KernelServices, kuid: string) {
  const user = services.users.get(kuid);
  if (user === null) throw new PluginError('security.user.not_found', kuid);
  return user;
}

/** mGetUsers' ids: the body's, else the `ids` argument split on commas (Kuzzle reads both). */
function idsOf(bodyIds: string[] | undefined, argIds: string | string[] | undefined): string[] {
  if (bodyIds !== undefined && bodyIds.length > 0) return bodyIds;
  const listed = typeof argIds === 'string' ? argIds.split(',') : (argIds ?? []);
  const ids = listed.map((id) => id.trim()).filter((id) => id !== '');
  if (ids.length === 0) throw new PluginError('api.assert.missing_argument', 'ids');
  if (ids.length > MAX_IDS) throw new PluginError('api.assert.invalid_argument', 'ids', `at most ${MAX_IDS} ids`);
  return ids;
}
