/**
 * One API action as the route table declares it: controller, action, HTTP
 * routes (deprecated aliases included), input schemas, who may call it, and
 * the handler. The hono app, `/_publicApi`, `/_query` and `/_openapi` are all
 * generated from the table, so an action exists everywhere or nowhere.
 *
 * Rights: calling `controller:action` needs a role granting it
 * (security/rights.ts). `openBeforeFirstAdmin` replaces that check: anyone
 * may call the action while no admin exists, and nobody after (412).
 */
import type * as z from 'zod';
import { PluginError, type ErrorId } from '@portcullis/sdk-plugin/errors';
import type { JsonObject, JsonValue } from '@portcullis/sdk-plugin/protocol';
import type { UserRecord } from '@portcullis/sdk-plugin/protocol';
import { auditTypeOf, type AuditType } from '../audit/audited-actions.js';
import type { VerifiedToken } from '../tokens/token-store.js';
import { parseInput } from './input.js';
import type { KernelServices } from './services.js';

export type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HttpRoute {
  verb: Verb;
  /** Kuzzle's format, `:name` for a parameter, e.g. `/users/:_id/_update`. */
  path: string;
  /** Kept for clients written against an older path; listed, but not in the OpenAPI paths' preferred form. */
  deprecated?: boolean;
}

/** Who is calling: a user (the anonymous one included) and the token used, if any. */
export interface Caller {
  user: UserRecord;
  token: VerifiedToken | null;
}

/** A request once parsed, whatever it came through (a route or `POST /_query`). */
export interface ApiRequest {
  requestId: string;
  controller: string;
  action: string;
  /** Query-string and path arguments (query booleans: present = true), minus `jwt`. */
  args: Record<string, JsonValue>;
  body: JsonObject | null;
  /** The raw token presented, if any; the pipeline puts the `authToken` cookie's here (pipeline.ts). */
  jwt: string | null;
  /** The raw `Cookie` header, if any; only the pipeline reads it, for `authToken`. */
  cookies: string | null;
  /** The client's address: the peer, or what trusted proxies forwarded (http/client-address.ts). */
  ip: string | null;
  /** Whether the client used HTTPS: a TLS connection, or a trusted proxy's `X-Forwarded-Proto`. */
  https: boolean;
  /** Lower-cased; `authorization` and `cookie` removed. */
  headers: Record<string, string>;
}

export interface AuthenticatedRequest extends ApiRequest {
  caller: Caller;
}

/** A handler's answer when it needs more than a 200 with a result (a redirect, a header). */
export class Reply {
  constructor(
    readonly result: unknown,
    readonly status = 200,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** An error answered with headers of its own, such as `Retry-After` on a 429. */
/** A 429's headers: `Retry-After`, readable by browser code on other origins too. */
export function retryAfter(seconds: number): Record<string, string> {
  return { 'Retry-After': String(seconds), 'Access-Control-Expose-Headers': 'Retry-After' };
}

export class ErrorWithHeaders extends PluginError {
  constructor(
    readonly headers: Record<string, string>,
    id: ErrorId,
    ...props: Array<string | number>
  ) {
    super(id, ...props);
  }
}

export interface ActionSpec<Args, Body> {
  controller: string;
  action: string;
  http: HttpRoute[];
  /** One line for the OpenAPI document. */
  summary: string;
  /** Arguments (query string and path); unknown ones are dropped, as Kuzzle ignores them. */
  args?: z.ZodType<Args>;
  /** The body; absent means "not read". `z.optional` where an empty body is fine. */
  body?: z.ZodType<Body>;
  openBeforeFirstAdmin?: boolean;
  /**
   * A bad token is taken as none (anonymous) instead of a 401: a client whose
   * token expired must still be able to log in, and checkToken reports on
   * the token in its body. Such actions do not act as their caller, so
   * they never spend a single-use token either (pipeline.ts).
   */
  tolerateBadToken?: boolean;
  /** Never refused by a profile's rateLimit when the caller holds a token: logout, so a throttled user can end a session (as Kuzzle). */
  exemptFromRateLimit?: boolean;
  /** What the audit log records a call as; by default from audit/audited-actions.ts, null for none. */
  audit?: AuditType | null;
  handler(input: { args: Args; body: Body; request: AuthenticatedRequest }, services: KernelServices): unknown;
}

/** An action of the table, its input types erased behind `run`. */
export interface Action {
  controller: string;
  action: string;
  http: HttpRoute[];
  summary: string;
  argsSchema: z.ZodType | undefined;
  bodySchema: z.ZodType | undefined;
  openBeforeFirstAdmin: boolean;
  tolerateBadToken: boolean;
  exemptFromRateLimit: boolean;
  /** Decided once here, so a request that is not audited pays one comparison (pipeline.ts). */
  audit: AuditType | null;
  /** The handler's result, or its promise: a synchronous handler needs none (see execute() in pipeline.ts). */
  run(request: AuthenticatedRequest, services: KernelServices): unknown;
}

/** What a handler without an args schema gets: one shared object, not one per request. */
const NO_ARGS = Object.freeze({});

export function defineAction<Args = Record<string, never>, Body = null>(spec: ActionSpec<Args, Body>): Action {
  return {
    controller: spec.controller,
    action: spec.action,
    http: spec.http,
    summary: spec.summary,
    argsSchema: spec.args,
    bodySchema: spec.body,
    openBeforeFirstAdmin: spec.openBeforeFirstAdmin ?? false,
    tolerateBadToken: spec.tolerateBadToken ?? false,
    exemptFromRateLimit: spec.exemptFromRateLimit ?? false,
    audit: spec.audit === undefined ? auditTypeOf(spec.controller, spec.action) : spec.audit,
    run(request, services) {
      const args = spec.args === undefined ? (NO_ARGS as Args) : parseInput(spec.args, request.args, 'args');
      const body = spec.body === undefined ? (null as Body) : parseInput(spec.body, request.body ?? undefined, 'body');
      return spec.handler({ args, body, request }, services);
    },
  };
}
