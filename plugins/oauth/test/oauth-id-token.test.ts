/**
 * ID tokens forged between the plugin and the provider (strategy
 * `oauth-forge`, whose token endpoint is a proxy that rewrites them): each
 * is refused with a 401, none logs anyone in. The signature is checked
 * against the provider's JWKS even for an ID token from the token endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { oauthLogin, startOAuth, type OAuthSetup } from './oauth-kernel.js';
import { CLIENT_SECRET } from './oidc-test-provider.js';

let setup: OAuthSetup;
let victimKuid: string;
beforeAll(async () => {
  setup = await startOAuth();
  setup.provider.accounts.set('alice', { email: 'alice@example.com', email_verified: true, name: 'Alice' });
  setup.provider.accounts.set('victim', { email: 'victim@example.com', email_verified: true, name: 'Victim' });
  // The victim's account exists: their identity logs in through the untouched proxy.
  const first = await oauthLogin(setup, 'victim', { strategy: 'oauth-forge' });
  expect(first.status).toBe(200);
  victimKuid = (await setup.k.call('GET', '/_me', { jwt: first.body.result.jwt as string })).body.result._id as string;
});
afterAll(async () => {
  await setup.stop();
});

/** Logs in as alice through the forging proxy: the ID token the plugin gets is `forge(alice's real one)`. */
async function forgedLogin(forge: (claims: JWTPayload) => Promise<string>) {
  setup.forger.rewrite = (idToken) => forge(decodeJwt(idToken));
  try {
    return await oauthLogin(setup, 'alice', { strategy: 'oauth-forge' });
  } finally {
    setup.forger.rewrite = null;
  }
}

function expectRefused(answer: Awaited<ReturnType<typeof forgedLogin>>, message: RegExp): void {
  expect(answer.status).toBe(401);
  expect(answer.body.error).toMatchObject({ id: 'plugin.custom.unauthorized' });
  expect(answer.body.error?.message).toMatch(message);
  expect(answer.body.result ?? null).toBeNull();
}

describe('forged ID tokens', () => {
  it('the untouched proxy logs alice in as herself (the attacks below change only the token)', async () => {
    const answer = await forgedLogin(async (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(setup.provider.signingKey));
    expect(answer.status).toBe(200);
    const me = await setup.k.call('GET', '/_me', { jwt: answer.body.result.jwt as string });
    expect(me.body.result._id).not.toBe(victimKuid);
    expect(me.body.result._source.name).toBe('Alice');
  });

  it("an ID token re-signed by a foreign RSA key under the provider's kid, naming the victim, is a 401", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const answer = await forgedLogin((claims) => new SignJWT({ ...claims, sub: 'victim', email: 'victim@example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(privateKey));
    expectRefused(answer, /failed validation/);
  });

  it('an ID token signed HS256 with the client secret, naming the victim, is a 401', async () => {
    const key = new TextEncoder().encode(CLIENT_SECRET);
    const answer = await forgedLogin((claims) => new SignJWT({ ...claims, sub: 'victim' }).setProtectedHeader({ alg: 'HS256' }).sign(key));
    expectRefused(answer, /failed validation/);
  });

  it("an expired ID token, signed by the provider's own key, is a 401 naming the exp claim", async () => {
    const now = Math.floor(Date.now() / 1000);
    const answer = await forgedLogin((claims) =>
      new SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 }).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(setup.provider.signingKey),
    );
    expectRefused(answer, /failed validation \("exp" claim\)/);
  });

  it("an ID token from another issuer, signed by the provider's own key, is a 401 naming the iss claim", async () => {
    const answer = await forgedLogin((claims) =>
      new SignJWT({ ...claims, iss: 'https://idp.example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(setup.provider.signingKey),
    );
    expectRefused(answer, /failed validation \("iss" claim\)/);
  });

  it('no forged login left a stack in the log or the victim logged in', async () => {
    const logs = setup.k.logs().join('\n');
    expect(logs).not.toMatch(/\n\s+at /);
    expect(logs).not.toContain(CLIENT_SECRET);
  });
});
