/**
 * Logins through a real OpenID provider: the redirect with state and PKCE,
 * first and later logins, and every way a callback can be wrong.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atKernel, Browser, oauthLogin, startLogin, startOAuth, throughProvider, withSqlite, type OAuthSetup } from './oauth-kernel.js';
import { CLIENT_ID, CLIENT_SECRET } from './oidc-test-provider.js';

describe('oauth login', () => {
  let setup: OAuthSetup;
  let admin: string;

  beforeAll(async () => {
    setup = await startOAuth({ content: { email: 'email', name: 'name', 'profile.fullName': 'name' } });
    admin = await setup.k.firstAdmin();
    setup.provider.accounts.set('alice', { email: 'alice@example.com', email_verified: true, name: 'Alice Liddell' });
    setup.provider.accounts.set('bob', { email: 'bob@example.com', email_verified: false, name: 'Bob' });
  });
  afterAll(() => setup.stop());

  it('step 1 redirects to the provider with state, nonce and PKCE S256, to the configured callback only', async () => {
    const url = await startLogin(setup, new Browser(), { query: '?redirect_uri=https://evil.example/steal&callbackUrl=https://evil.example' });
    expect(url.origin).toBe(setup.provider.issuer);
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`${setup.origin}/_login/oauth-test`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.href).not.toContain(CLIENT_SECRET);
    // Two attempts never share a state.
    const again = await startLogin(setup, new Browser());
    expect(again.searchParams.get('state')).not.toBe(url.searchParams.get('state'));
  });

  it('a first login creates the user with the mapped content and default profiles; the second finds it', async () => {
    const first = await oauthLogin(setup, 'alice');
    expect(first.status, JSON.stringify(first.body.error)).toBe(200);
    const jwt = first.body.result.jwt as string;
    const me = await setup.k.call('GET', '/_me', { jwt });
    expect(me.body.result._source).toMatchObject({
      email: 'alice@example.com', name: 'Alice Liddell', profile: { fullName: 'Alice Liddell' }, profileIds: ['default'],
    });
    expect(me.body.result.strategies).toEqual(['oauth-test']);
    const kuid = me.body.result._id as string;

    const second = await oauthLogin(setup, 'alice');
    expect(second.status).toBe(200);
    const again = await setup.k.call('GET', '/_me', { jwt: second.body.result.jwt as string });
    expect(again.body.result._id).toBe(kuid);
    const users = await setup.k.call('POST', '/users/_search', { jwt: admin, body: { query: { term: { email: 'alice@example.com' } } } });
    expect(users.body.result.total).toBe(1);
  });

  it('the kuid the client names is never used: the subject decides', async () => {
    // Users that exist under the names the client gives: an admin (kuid "admin") and one with an explicit kuid.
    const target = await setup.k.createUser(admin, 'target', undefined, 'target-kuid');
    expect(target).toBe('target-kuid');
    for (const named of ['target-kuid', 'admin']) {
      const bob = await oauthLogin(setup, 'bob', { query: `?kuid=${named}&_id=${named}&username=${named === 'admin' ? 'admin' : 'target'}` });
      expect(bob.status).toBe(200);
      const me = await setup.k.call('GET', '/_me', { jwt: bob.body.result.jwt as string });
      expect(['target-kuid', 'admin']).not.toContain(me.body.result._id);
      expect(me.body.result._source.email).toBe('bob@example.com');
    }
  });

  it('a state that is wrong, replayed, or missing is a 401 that says so', async () => {
    const browser = new Browser();
    setup.provider.nextAccount = 'alice';
    const callback = await throughProvider(setup, browser, await startLogin(setup, browser));
    const wrong = new URL(callback);
    wrong.searchParams.set('state', 'x'.repeat(43));
    const wrongAnswer = await atKernel(browser, wrong);
    expect(wrongAnswer.status).toBe(401);
    expect(wrongAnswer.body.error?.message).toMatch(/unknown or already used login state/);

    expect((await atKernel(browser, callback)).status).toBe(200);
    const replayed = await atKernel(browser, callback);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toMatchObject({ id: 'plugin.custom.unauthorized' });
    expect(replayed.body.error?.message).toMatch(/unknown or already used login state/);

    const noState = new URL(callback);
    noState.searchParams.delete('state');
    const noStateAnswer = await atKernel(browser, noState);
    expect(noStateAnswer.status).toBe(401);
    expect(noStateAnswer.body.error?.message).toMatch(/no state/);
  });

  it('a callback without a code is a 400, and leaves the attempt usable', async () => {
    const browser = new Browser();
    setup.provider.nextAccount = 'alice';
    const callback = await throughProvider(setup, browser, await startLogin(setup, browser));
    const noCode = new URL(callback);
    noCode.searchParams.delete('code');
    const answer = await atKernel(browser, noCode);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ id: 'plugin.custom.bad_request', message: 'the callback carries no code' });
    expect((await atKernel(browser, callback)).status).toBe(200);
  });

  it("the provider's error is a 401 with its code, never its text, and ends the attempt", async () => {
    const browser = new Browser();
    setup.provider.refuseNext = true;
    const callback = await throughProvider(setup, browser, await startLogin(setup, browser));
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const answer = await atKernel(browser, callback);
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toBe('the identity provider refused the login (access_denied)');
    expect(JSON.stringify(answer.body)).not.toContain('script');
    // The state it carried is used up.
    const retried = new URL(callback);
    retried.searchParams.delete('error');
    retried.searchParams.delete('error_description');
    retried.searchParams.set('code', 'anything');
    expect((await atKernel(browser, retried)).body.error?.message).toMatch(/unknown or already used login state/);
  });

  it('an ID token minted for another audience is refused (signed by the provider, swapped at the token endpoint)', async () => {
    const browser = new Browser();
    setup.provider.nextAccount = 'alice';
    const authorization = await startLogin(setup, browser, { strategy: 'oauth-aud' });
    authorization.searchParams.set('client_id', 'another-app');
    const answer = await atKernel(browser, await throughProvider(setup, browser, authorization));
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toMatch(/failed validation \("aud" claim\)/);
  });

  it("a code issued to the plugin's client but redeemed by another client is refused by the provider (invalid_grant)", async () => {
    // No client_id swap this time: the proxy redeems the plugin's own code as the other client.
    const answer = await oauthLogin(setup, 'alice', { strategy: 'oauth-aud' });
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toBe('the identity provider refused the login (invalid_grant): start again');
  });

  it('an ID token with another nonce is refused', async () => {
    const browser = new Browser();
    setup.provider.nextAccount = 'alice';
    const authorization = await startLogin(setup, browser);
    authorization.searchParams.set('nonce', 'a-nonce-this-login-never-made');
    const answer = await atKernel(browser, await throughProvider(setup, browser, authorization));
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toMatch(/failed validation \("nonce" claim\)/);
  });

  it('the token works with the official kuzzle-sdk', async () => {
    const login = await oauthLogin(setup, 'alice');
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: Number(new URL(setup.origin).port) }));
    await kuzzle.connect();
    try {
      kuzzle.jwt = login.body.result.jwt as string;
      const me = await kuzzle.auth.getCurrentUser();
      expect(me._source.email).toBe('alice@example.com');
      expect(await kuzzle.auth.getMyCredentials('oauth-test')).toMatchObject({ provider: 'test', subject: 'alice', email: 'alice@example.com' });
    } finally {
      kuzzle.disconnect();
    }
  });

  it('no client secret, provider token, verifier or state in any result, log line or stored document', async () => {
    const browser = new Browser();
    setup.provider.nextAccount = 'alice';
    const authorization = await startLogin(setup, browser);
    const state = authorization.searchParams.get('state') as string;
    // The PKCE verifier, read from the live attempt (the client only ever sees its S256 challenge).
    const attemptId = createHash('sha256').update(state).digest('base64url');
    const verifier = withSqlite(setup, (db) => JSON.parse(db.prepare('SELECT body FROM "c_login-attempts" WHERE id = ?').pluck().get(attemptId) as string).verifier as string);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const callback = await throughProvider(setup, browser, authorization);
    const answer = await atKernel(browser, callback);
    const me = await setup.k.call('GET', '/_me/credentials/oauth-test', { jwt: answer.body.result.jwt as string });
    expect(me.body.result).toEqual({ provider: 'test', issuer: setup.provider.issuer, subject: 'alice', email: 'alice@example.com' });
    const stored = readdirSync(join(setup.k.dataDir, 'plugins')).map((file) => readFileSync(join(setup.k.dataDir, 'plugins', file)).toString('latin1')).join('\n');
    const shown = [JSON.stringify(answer.body), JSON.stringify(me.body), setup.k.logs().join('\n')].join('\n');
    const everything = `${shown}\n${stored}`;
    expect(everything).not.toContain(CLIENT_SECRET);
    expect(everything).not.toContain(callback.searchParams.get('code') as string);
    expect(stored).not.toContain(state);
    expect(shown).not.toContain(verifier);
    // The used attempt is deleted: no stored document holds the verifier any more (the file's free pages may, until reused).
    expect(withSqlite(setup, (db) => db.prepare('SELECT count(*) FROM "c_login-attempts" WHERE body LIKE ?').pluck().get(`%${verifier}%`))).toBe(0);
    // Provider tokens are JWTs (ID token) or opaque; neither is kept: no JWT at all in the namespace.
    expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
