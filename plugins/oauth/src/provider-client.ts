/**
 * One identity provider seen through openid-client: its metadata (discovered
 * once per thread, or given), the authorization URL of a login attempt, and
 * the callback's code exchanged for a validated ID token. openid-client
 * checks the ID token's issuer, audience, nonce and expiry, and its
 * signature against the provider's JWKS (only once
 * enableNonRepudiationChecks is on: without it, openid-client trusts the
 * TLS channel and skips the signature), and the PKCE verifier travels with
 * the code.
 * Tokens never leave this module: only the identity's claims do.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as client from 'openid-client';
import type { JsonObject, PluginLogger } from '@portcullis/sdk-plugin';
import type { ProviderSettings } from './config.js';
import { providerFailure } from './provider-errors.js';

export interface AttemptSecrets {
  state: string;
  nonce: string;
  verifier: string;
}

/** What the callback brings back, as the provider sent it. */
export interface CallbackParams {
  code: string;
  state: string;
  /** RFC 9207's `iss`, when the provider sends it. */
  iss?: string;
}

/**
 * The deadline of the login step in progress. A step may make several requests (discovery,
 * token, JWKS, userinfo); each has its own timeout, but together they must also end in time,
 * or a slow provider would hold the plugin call past the kernel's callTimeoutMs.
 */
const stepDeadline = new AsyncLocalStorage<AbortSignal>();

/** fetch, aborted at the step's deadline as well as at openid-client's own timeout. */
const fetchWithinStep: client.CustomFetch = (url, options) => {
  const deadline = stepDeadline.getStore();
  const signal = deadline === undefined ? options.signal : options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
  return fetch(url, { ...options, signal } as RequestInit);
};

export class ProviderClient {
  #configuration: Promise<client.Configuration> | null = null;

  constructor(
    readonly settings: ProviderSettings,
    private readonly options: { timeoutSeconds: number; insecure: boolean; log: PluginLogger },
  ) {}

  /** The provider's authorization URL for one attempt: the configured callback only, PKCE S256, state and nonce. */
  authorizationUrl(secrets: AttemptSecrets): Promise<string> {
    return this.#withinStep(() => this.#authorizationUrl(secrets));
  }

  /** Exchanges the code; resolves with the ID token's claims (and userinfo's, if configured). */
  exchange(params: CallbackParams, secrets: AttemptSecrets): Promise<JsonObject> {
    return this.#withinStep(() => this.#exchange(params, secrets));
  }

  /** Runs one login step's provider requests under one deadline of httpTimeoutSeconds. */
  #withinStep<T>(step: () => Promise<T>): Promise<T> {
    return stepDeadline.run(AbortSignal.timeout(this.options.timeoutSeconds * 1000), step);
  }

  async #authorizationUrl(secrets: AttemptSecrets): Promise<string> {
    const config = await this.#config();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.callbackUrl,
      scope: this.settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(secrets.verifier),
      code_challenge_method: 'S256',
      state: secrets.state,
      nonce: secrets.nonce,
    });
    return url.href;
  }

  async #exchange(params: CallbackParams, secrets: AttemptSecrets): Promise<JsonObject> {
    const config = await this.#config();
    const current = new URL(this.settings.callbackUrl);
    current.search = '';
    current.searchParams.set('code', params.code);
    current.searchParams.set('state', params.state);
    if (params.iss !== undefined) current.searchParams.set('iss', params.iss);
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('no ID token');
      const identity: JsonObject = { ...(claims as JsonObject) };
      if (this.settings.userinfo) {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        for (const [name, value] of Object.entries(info)) if (!Object.hasOwn(identity, name)) identity[name] = value as JsonObject[string];
      }
      // The access and refresh tokens go out of scope here: nothing keeps them.
      return identity;
    } catch (error) {
      throw providerFailure(error, this.settings, this.options.log);
    }
  }

  /** Discovered once per thread; a failed discovery is not kept, so the next login tries again. */
  #config(): Promise<client.Configuration> {
    this.#configuration ??= this.#load().catch((error: unknown) => {
      this.#configuration = null;
      throw providerFailure(error, this.settings, this.options.log);
    });
    return this.#configuration;
  }

  async #load(): Promise<client.Configuration> {
    const { settings } = this;
    // The signature check is not openid-client's default for a token endpoint's ID token: a proxy
    // or a compromised channel could otherwise hand in any subject, signed by any key.
    const execute = [client.enableNonRepudiationChecks, ...(this.options.insecure ? [client.allowInsecureRequests] : [])];
    let config: client.Configuration;
    if (settings.endpoints === undefined) {
      config = await client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
        execute,
        timeout: this.options.timeoutSeconds,
        [client.customFetch]: fetchWithinStep,
      });
    } else {
      const metadata: client.ServerMetadata = {
        issuer: settings.issuer,
        authorization_endpoint: settings.endpoints.authorization,
        token_endpoint: settings.endpoints.token,
        jwks_uri: settings.endpoints.jwks,
        ...(settings.endpoints.userinfo === undefined ? {} : { userinfo_endpoint: settings.endpoints.userinfo }),
      };
      config = new client.Configuration(metadata, settings.clientId, settings.clientSecret);
      for (const extension of execute) extension(config);
      config.timeout = this.options.timeoutSeconds;
    }
    config[client.customFetch] = fetchWithinStep;
    return config;
  }
}
