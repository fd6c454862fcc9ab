/**
 * A real OpenID provider for the tests: oidc-provider on 127.0.0.1, signing
 * with its own RSA key, PKCE required, two confidential clients sharing the
 * kernel's callback (the second one mints ID tokens for another audience).
 * Its login and consent interactions are finished by a small handler, as a
 * user would in its pages: which account logs in, or whether the user
 * refuses, is set by the test (`nextAccount`, `refuseNext`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'portcullis';
/** A secret the tests look for everywhere it must not be. */
export const CLIENT_SECRET = 'client-secret-8d1f0c2a9b7e4f35a6c1d0e2b3f4a5c6';
export const OTHER_CLIENT_ID = 'another-app';
export const OTHER_CLIENT_SECRET = 'another-secret-1b2c3d4e5f60718293a4b5c6d7e8f901';

export interface Account {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  accounts: Map<string, Account>;
  /** The account the next login interaction logs in. */
  nextAccount: string;
  /** The next interaction answers `access_denied` (the user refused). */
  refuseNext: boolean;
  /** The provider's own signing key (kid `test-key`): tests sign tokens the provider would have. */
  signingKey: CryptoKey;
  stop(): Promise<void>;
}

/** Starts the provider; `callbackUrls` are registered for both clients. */
export async function startTestProvider(callbackUrls: string[]): Promise<TestProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const client = (client_id: string, client_secret: string) => ({
    client_id, client_secret, redirect_uris: callbackUrls, grant_types: ['authorization_code'], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  });
  const state: TestProvider = {
    issuer,
    accounts: new Map(),
    nextAccount: 'alice',
    refuseNext: false,
    signingKey: privateKey,
    stop: () => stopServer(server),
  };
  const provider = new Provider(issuer, {
    clients: [client(CLIENT_ID, CLIENT_SECRET), client(OTHER_CLIENT_ID, OTHER_CLIENT_SECRET)],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['cookie-signing-key-for-tests-only'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    // The mapped claims in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const account = state.accounts.get(sub);
      return account === undefined ? undefined : { accountId: sub, claims: () => ({ sub, ...account }) };
    },
  });
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      finishInteraction(provider, state, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    } else {
      callback(req, res);
    }
  });
  return state;
}

/** What the user does on the provider's pages: logs in as `nextAccount`, consents to everything asked, or refuses. */
async function finishInteraction(provider: Provider, state: TestProvider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (state.refuseNext) {
    state.refuseNext = false;
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: '<script>alert("the user said no")</script>' }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: state.nextAccount } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId as string;
  const clientId = details.params.client_id as string;
  const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId }) : ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }));
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function stopServer(server: Server): Promise<void> {
  if (!server.listening) return;
  // Kept-alive sockets would hold close() open; a provider that is down refuses connections at once.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
