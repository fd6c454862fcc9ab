/**
 * The oauth plugin's settings (its `config` in plugins.json): the identity
 * providers, one strategy each, and the login attempts' lifetime. A bad
 * setting stops the plugin at boot with the field named, never its value
 * (a client secret must not reach the kernel log through an error).
 */
import { z } from 'zod';
import type { JsonObject } from '@portcullis/sdk-plugin';

/** A user content field (dotted path) as the kernel's user queries accept it. */
const CONTENT_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/;
/** A strategy name, as the kernel accepts it (URL segment `/_login/<name>`). */
const STRATEGY_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const PROFILE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const httpUrl = z.url({ protocol: /^https?$/ });

const endpointsSchema = z.strictObject({
  authorization: httpUrl,
  token: httpUrl,
  jwks: httpUrl,
  userinfo: httpUrl.optional(),
});

const providerSchema = z.strictObject({
  /** Short name: the strategy is `oauth-<name>` unless `strategy` says otherwise. */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,57}$/),
  strategy: z.string().regex(STRATEGY_NAME).optional(),
  /** The issuer identifier: ID tokens must carry exactly this `iss`. Discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: httpUrl,
  /** Explicit endpoints instead of discovery. */
  endpoints: endpointsSchema.optional(),
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(4096),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/)).min(1).max(32).default(['openid', 'email', 'profile']),
  /** Where the provider sends the browser back: the kernel's `/_login/<strategy>`, or an app page that forwards `code` and `state`. */
  callbackUrl: httpUrl,
  /** The claim identifying the user at the provider; `sub` (stable, never reassigned) unless the provider says otherwise. */
  identifierClaim: z.string().min(1).max(64).default('sub'),
  /** User content field -> claim, copied into a user created on first login. */
  content: z.record(z.string().regex(CONTENT_FIELD), z.string().min(1).max(64)).default({ email: 'email', name: 'name' }),
  /** Also read the userinfo endpoint: its claims fill what the ID token lacks (the ID token's win on a clash). */
  userinfo: z.boolean().default(false),
  /** Profiles of users created on first login; each must be in the plugin's `allowedProfiles` (plugins.json). */
  defaultProfiles: z.array(z.string().regex(PROFILE_ID)).min(1).max(64).default(['default']),
  /** Create a user on the first login of an identity no user holds. */
  createUsers: z.boolean().default(true),
  /**
   * `never`: an identity is linked to an existing user only by that user (auth:createMyCredentials)
   * or an admin. `verifiedEmail`: an unknown identity whose provider vouches for its email is offered
   * to the user with that email: a pending link, which that user confirms after logging in another way.
   */
  linking: z.enum(['never', 'verifiedEmail']).default('never'),
  /** The user content field compared with the provider's verified email (`verifiedEmail`). */
  emailField: z.string().regex(CONTENT_FIELD).default('email'),
});

const configSchema = z.strictObject({
  /** A comment, as plugins.json has no other way to hold one. */
  '//': z.string().optional(),
  providers: z.array(providerSchema).min(1).max(32),
  /** How long a login attempt (state, PKCE verifier, nonce) waits for its callback. */
  attemptTtlSeconds: z.int().min(30).max(3600).default(600),
  /** Live login attempts one client address may hold (step 1 is anonymous and not throttled by the kernel). */
  maxAttemptsPerClient: z.int().min(1).max(100_000).default(20),
  /** Live login attempts of all clients together. */
  maxAttempts: z.int().min(1).max(1_000_000).default(10_000),
  /** How long a pending link waits for its user to confirm it. */
  pendingLinkTtlSeconds: z.int().min(60).max(86_400).default(900),
  /** Deadline of a login step's provider requests, each and all together; at least CALL_SPARE_MS below the plugin's callTimeoutMs (checked at boot). */
  httpTimeoutSeconds: z.int().min(1).max(60).default(5),
  /** Allow http:// providers: for tests and development on loopback only. */
  allowInsecureHttp: z.boolean().default(false),
});

export type OAuthConfig = z.infer<typeof configSchema>;
export type ProviderSettings = z.infer<typeof providerSchema> & { strategy: string };

/**
 * What a login step needs on top of its provider requests, within the kernel's call deadline:
 * the plugin's storage and users calls, milliseconds each; 1 s leaves them ample room.
 */
const CALL_SPARE_MS = 1000;

/**
 * Reads the plugin's config; a bad setting stops the plugin at boot with the field named.
 * `callTimeoutMs` is the kernel's deadline of a call into the plugin (context.callTimeoutMs).
 */
export function parseConfig(raw: JsonObject, callTimeoutMs: number): OAuthConfig & { providers: ProviderSettings[] } {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // Paths and zod's generic wording only: never a value, which could be a secret.
    const problems = parsed.error.issues.map((issue) => `config.${issue.path.join('.')}: ${issue.code}`);
    throw new Error(`invalid oauth plugin config: ${problems.join('; ')}`);
  }
  const { httpTimeoutSeconds } = parsed.data;
  if (httpTimeoutSeconds * 1000 > callTimeoutMs - CALL_SPARE_MS) {
    // Past it the kernel ends the call first: the user would get its 504, not the plugin's clear 503.
    throw new Error(
      `invalid oauth plugin config: config.httpTimeoutSeconds (${httpTimeoutSeconds} s) must end at least ${CALL_SPARE_MS} ms before the plugin's callTimeoutMs (${callTimeoutMs} ms): lower it, or raise callTimeoutMs in plugins.json`,
    );
  }
  const providers = parsed.data.providers.map((provider) => ({ ...provider, strategy: provider.strategy ?? `oauth-${provider.name}` }));
  const seen = new Set<string>();
  for (const [index, provider] of providers.entries()) {
    if (seen.has(provider.strategy)) throw new Error(`invalid oauth plugin config: config.providers.${index}.strategy: "${provider.strategy}" is used twice`);
    seen.add(provider.strategy);
    for (const url of [provider.issuer, provider.callbackUrl, ...Object.values(provider.endpoints ?? {})]) {
      if (url !== undefined && url.startsWith('http:') && !parsed.data.allowInsecureHttp) {
        throw new Error(`invalid oauth plugin config: config.providers.${index}: an http:// URL needs allowInsecureHttp (tests and development only)`);
      }
    }
  }
  return { ...parsed.data, providers };
}
