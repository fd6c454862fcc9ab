/**
 * The `oauth` plugin: OAuth 2.0 / OpenID Connect login, one strategy per
 * configured provider (`oauth-<name>`), written only against
 * @portcullis/sdk-plugin with openid-client. What it does better than
 * Kuzzle's OAuth plugin: `state` and PKCE (S256) bound to a short-lived,
 * single-use login attempt; the ID token validated (issuer, audience,
 * nonce, signature by the provider's JWKS, expiry); users found by the
 * provider's subject, never by a kuid the client names; provider tokens
 * never kept or returned. The login steps are in login-flow.ts, the
 * credentials methods (linking) in credential-methods.ts.
 */
import {
  definePlugin,
  type AuthenticatorConstructor,
  type JsonObject,
  type LoginRequest,
  type PluginContext,
  type RequestContext,
  type StrategyDefinition,
  type StrategyPlugin,
  type VerifyResult,
} from '@portcullis/sdk-plugin';
import { parseConfig } from './config.js';
import { CredentialMethods } from './credential-methods.js';
import { IDENTITIES_COLLECTION, Identities } from './identities.js';
import { ATTEMPTS_COLLECTION, LoginAttempts } from './login-attempts.js';
import { LoginFlow, type CallbackInput, type FlowParts } from './login-flow.js';
import { oauthAuthenticator } from './oauth-strategy.js';
import { PENDING_LINKS_COLLECTION, PendingLinks } from './pending-links.js';
import { ProviderClient } from './provider-client.js';

export default definePlugin(
  class OAuthPlugin implements StrategyPlugin {
    authenticators?: Record<string, AuthenticatorConstructor>;
    strategies?: Record<string, StrategyDefinition>;
    #flow!: LoginFlow;
    #methods!: CredentialMethods;

    async init(raw: JsonObject, context: PluginContext): Promise<void> {
      const config = parseConfig(raw, context.callTimeoutMs);
      const clients = new Map<string, ProviderClient>();
      for (const settings of config.providers) {
        clients.set(settings.strategy, new ProviderClient(settings, { timeoutSeconds: config.httpTimeoutSeconds, insecure: config.allowInsecureHttp, log: context.log }));
      }
      const collection = ({ name, indexes }: { name: string; indexes: Array<{ field: string; unique?: boolean }> }) => context.storage.collection(name, { indexes });
      const parts: FlowParts = {
        context,
        attempts: new LoginAttempts(await collection(ATTEMPTS_COLLECTION), config.attemptTtlSeconds * 1000, {
          perClient: config.maxAttemptsPerClient,
          total: config.maxAttempts,
        }),
        identities: new Identities(await collection(IDENTITIES_COLLECTION)),
        pending: new PendingLinks(await collection(PENDING_LINKS_COLLECTION), config.pendingLinkTtlSeconds * 1000),
        provider(strategy) {
          const found = clients.get(strategy);
          // The kernel calls a plugin only for the strategies it declared.
          if (found === undefined) throw new Error(`no provider for strategy "${strategy}"`);
          return found;
        },
      };
      this.#flow = new LoginFlow(parts);
      this.#methods = new CredentialMethods(parts, this.#flow);
      this.authenticators = { OAuth: oauthAuthenticator(this.#flow) };
      this.strategies = {};
      for (const strategy of clients.keys()) {
        this.strategies[strategy] = {
          config: { authenticator: 'OAuth', fields: ['code', 'state'], strategyOptions: { strategy } },
          methods: {
            create: 'create', delete: 'delete', exists: 'exists', update: 'update', validate: 'validate',
            verify: 'verify', getInfo: 'getInfo', getById: 'getById',
          },
        };
      }
    }

    /** Called by the Strategy with a callback's fields: `{kuid}` logs in. */
    async verify(_req: LoginRequest, strategy: string, input: CallbackInput): Promise<VerifyResult> {
      return this.#flow.callback(strategy, input);
    }

    async validate(request: RequestContext, credentials: JsonObject, _kuid: string, strategy: string): Promise<void> {
      await this.#methods.validate(request, credentials, strategy);
    }

    async create(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
      return this.#methods.create(request, credentials, kuid, strategy);
    }

    async update(request: RequestContext, credentials: JsonObject, kuid: string, strategy: string): Promise<JsonObject> {
      return this.#methods.update(request, credentials, kuid, strategy);
    }

    async delete(request: RequestContext, kuid: string, strategy: string): Promise<void> {
      await this.#methods.delete(request, kuid, strategy);
    }

    async exists(_request: RequestContext, kuid: string, strategy: string): Promise<boolean> {
      return this.#methods.exists(kuid, strategy);
    }

    /** Provider, issuer, subject, email: never a token or secret. */
    async getInfo(_request: RequestContext, kuid: string, strategy: string): Promise<JsonObject> {
      return this.#methods.getInfo(kuid, strategy);
    }

    /** By the provider's subject. */
    async getById(_request: RequestContext, subject: string, strategy: string): Promise<JsonObject> {
      return this.#methods.getById(subject, strategy);
    }
  },
);
