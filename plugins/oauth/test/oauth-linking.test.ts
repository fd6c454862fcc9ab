/**
 * Linking provider identities to existing users, through the kernel's own
 * credentials actions (which enroll the user in the credential ledger),
 * and unlinking. The plugin never enrolls an existing user by itself.
 */
import { describe, expect, it } from 'vitest';
import { atKernel, Browser, oauthLogin, oauthPerTest, startLogin, throughProvider, type OAuthSetup } from './oauth-kernel.js';

/** Kernel and provider with accounts alice (verified email) and mallory (unverified, same address). */
const start = oauthPerTest({
  alice: { email: 'alice@example.com', email_verified: true, name: 'Alice' },
  mallory: { email: 'alice@example.com', email_verified: false, name: 'Mallory' },
});

/** An admin, and a local user `ada` whose content email is `email`; answers both tokens and ada's kuid. */
async function withLocalUser(s: OAuthSetup, email = 'alice@example.com') {
  const admin = await s.k.firstAdmin();
  const kuid = await s.k.createUser(admin, 'ada');
  await s.k.call('PUT', `/users/${kuid}/_update`, { jwt: admin, body: { email } });
  return { admin, kuid, jwt: await s.k.login('ada') };
}

/** The link secret a pending-link offer answers, from its 401 message. */
function linkSecretOf(answer: { body: { error?: { message?: string } | null } }): string {
  const secret = /"linkSecret": "([A-Za-z0-9_-]{43})"/.exec(answer.body.error?.message ?? '')?.[1];
  if (secret === undefined) throw new Error(`no link secret in ${JSON.stringify(answer.body.error)}`);
  return secret;
}

async function userCount(s: OAuthSetup, admin: string): Promise<number> {
  return (await s.k.call('POST', '/users/_search', { jwt: admin, body: {} })).body.result.total as number;
}

describe('explicit linking (intent=link, then auth:createMyCredentials)', () => {
  it('links the identity to the signed-in user, who then logs in with it', async () => {
    const s = await start();
    const { kuid, jwt, admin } = await withLocalUser(s);
    const browser = new Browser();
    s.provider.nextAccount = 'alice';
    const callback = await throughProvider(s, browser, await startLogin(s, browser, { jwt, query: '?intent=link' }));
    // Reaching the login route, a link attempt is left for its user.
    const atLogin = await atKernel(browser, callback);
    expect(atLogin.status).toBe(401);
    expect(atLogin.body.error?.message).toMatch(/auth:createMyCredentials/);

    const body = { code: callback.searchParams.get('code'), state: callback.searchParams.get('state'), iss: callback.searchParams.get('iss') };
    const linked = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body });
    expect(linked.status, JSON.stringify(linked.body.error)).toBe(200);
    expect(linked.body.result).toEqual({ provider: 'test', issuer: s.provider.issuer, subject: 'alice', email: 'alice@example.com' });

    const users = await userCount(s, admin);
    const login = await oauthLogin(s, 'alice');
    expect(login.status).toBe(200);
    expect((await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result._id).toBe(kuid);
    expect(await userCount(s, admin)).toBe(users);
    expect((await s.k.call('GET', '/credentials/oauth-test/alice/_byId', { jwt: admin })).body.result).toMatchObject({ subject: 'alice', kuid });
    expect((await s.k.call('GET', `/credentials/oauth-test/${kuid}/_exists`, { jwt: admin })).body.result).toBe(true);
  });

  it("another user's link attempt cannot be finished by this user, and a login attempt cannot be linked", async () => {
    const s = await start();
    const { admin, jwt } = await withLocalUser(s);
    const eve = await s.k.createUser(admin, 'eve');
    const eveJwt = await s.k.login('eve');
    const browser = new Browser();
    s.provider.nextAccount = 'alice';
    const callback = await throughProvider(s, browser, await startLogin(s, browser, { jwt: eveJwt, query: '?intent=link' }));
    const body = { code: callback.searchParams.get('code'), state: callback.searchParams.get('state'), iss: callback.searchParams.get('iss') };
    const stolen = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error?.message).toMatch(/not started by you/);

    const plain = await throughProvider(s, new Browser(), await startLogin(s, new Browser()));
    const plainBody = { code: plain.searchParams.get('code'), state: plain.searchParams.get('state') };
    expect((await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body: plainBody })).status).toBe(403);
    expect((await s.k.call('GET', `/credentials/oauth-test/${eve}/_exists`, { jwt: admin })).body.result).toBe(false);
  });

  it('users cannot name a subject themselves; admins can, and intent=link needs a token', async () => {
    const s = await start();
    const { admin, jwt, kuid } = await withLocalUser(s);
    const named = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body: { subject: 'alice' } });
    expect(named.status).toBe(403);
    const response = await new Browser().request(`${s.origin}/_login/oauth-test?intent=link`);
    expect(response.status).toBe(401);
    const byAdmin = await s.k.call('POST', `/credentials/oauth-test/${kuid}/_create`, { jwt: admin, body: { subject: 'alice' } });
    expect(byAdmin.status, JSON.stringify(byAdmin.body.error)).toBe(200);
    const login = await oauthLogin(s, 'alice');
    expect((await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result._id).toBe(kuid);
  });

  it('two users linked to one identity at once: exactly one holds it, the other gets a 412', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const kuids = [await s.k.createUser(admin, 'ada'), await s.k.createUser(admin, 'bea')];
    const answers = await Promise.all(kuids.map((kuid) => s.k.call('POST', `/credentials/oauth-test/${kuid}/_create`, { jwt: admin, body: { subject: 'alice' } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
    const winner = kuids[answers.findIndex((answer) => answer.status === 200)];
    expect((await s.k.call('GET', '/credentials/oauth-test/alice/_byId', { jwt: admin })).body.result.kuid).toBe(winner);
    const login = await oauthLogin(s, 'alice');
    expect((await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result._id).toBe(winner);
  });

  it('self-registration (createRestrictedUser, open to anonymous) cannot name a subject; an admin creating a user can', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const opened = await s.k.call('PUT', '/roles/anonymous/_update', {
      jwt: admin,
      body: { controllers: { auth: { actions: { login: true, checkToken: true, getStrategies: true } }, security: { actions: { createRestrictedUser: true } } } },
    });
    expect(opened.status, JSON.stringify(opened.body.error)).toBe(200);
    const users = await userCount(s, admin);
    const eve = await s.k.call('POST', '/users/eve/_createRestricted', { body: { content: { name: 'eve' }, credentials: { 'oauth-test': { subject: 'alice' } } } });
    expect(eve.status).toBe(403);
    expect(eve.body.error?.message).toMatch(/security:createRestrictedUser cannot link a provider identity/);
    expect(await userCount(s, admin)).toBe(users);
    // Self-registration itself still works, without naming an identity.
    expect((await s.k.call('POST', '/users/bob/_createRestricted', { body: { content: { name: 'bob' } } })).status).toBe(200);

    // alice's identity is nobody's: her first login creates her own user.
    const login = await oauthLogin(s, 'alice');
    expect(login.status).toBe(200);
    const me = (await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result;
    expect([me._id, me._source.name]).toEqual([expect.not.stringMatching(/^(eve|bob)$/), 'Alice']);

    const byAdmin = await s.k.call('POST', '/users/carol/_create', { jwt: admin, body: { content: { profileIds: ['default'] }, credentials: { 'oauth-test': { subject: 'carol-sub' } } } });
    expect(byAdmin.status, JSON.stringify(byAdmin.body.error)).toBe(200);
  });
});

describe('linking policy', () => {
  it('never (the default): an identity with the email of an existing user creates a new user, never logs into that one', async () => {
    const s = await start();
    const { kuid, admin } = await withLocalUser(s);
    const login = await oauthLogin(s, 'alice');
    expect(login.status).toBe(200);
    const me = (await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result;
    expect(me._id).not.toBe(kuid);
    expect(me._source.email).toBe('alice@example.com');
    expect(await userCount(s, admin)).toBe(3);
  });

  it('verifiedEmail: a verified identity is offered to the user with that email, who confirms after logging in', async () => {
    const s = await start({ linking: 'verifiedEmail' });
    const { kuid, jwt, admin } = await withLocalUser(s, 'Alice@Example.com');
    const users = await userCount(s, admin);
    const offered = await oauthLogin(s, 'alice');
    expect(offered.status).toBe(401);
    expect(offered.body.error?.message).toMatch(/confirm the link with auth:createMyCredentials.*"confirmLink": true, "linkSecret": "/);
    expect(await userCount(s, admin)).toBe(users);

    const confirmed = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body: { confirmLink: true, linkSecret: linkSecretOf(offered) } });
    expect(confirmed.status, JSON.stringify(confirmed.body.error)).toBe(200);
    expect(confirmed.body.result).toMatchObject({ subject: 'alice', email: 'alice@example.com' });
    const login = await oauthLogin(s, 'alice');
    expect(login.status).toBe(200);
    expect((await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result._id).toBe(kuid);
  });

  it('verifiedEmail: no offer to a user with another email, none from an unverified email, and signup creates a user', async () => {
    const s = await start({ linking: 'verifiedEmail' });
    const { admin, jwt } = await withLocalUser(s, 'someone.else@example.com');
    const offered = await oauthLogin(s, 'alice');
    // Even with the secret, a user whose email is not the verified one cannot confirm.
    const refused = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body: { confirmLink: true, linkSecret: linkSecretOf(offered) } });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toBe('the pending link is not for your email');

    // Unverified: no offer; under the default createUsers, a new user of its own.
    const users = await userCount(s, admin);
    const mallory = await oauthLogin(s, 'mallory');
    expect(mallory.status).toBe(200);
    expect(await userCount(s, admin)).toBe(users + 1);

    const signup = await oauthLogin(s, 'alice', { query: '?intent=signup' });
    expect(signup.status).toBe(200);
    expect(await userCount(s, admin)).toBe(users + 2);
  });

  it('verifiedEmail: a user who set the same email on their account cannot confirm without the secret of the provider login', async () => {
    const s = await start({ linking: 'verifiedEmail' });
    const { admin, kuid, jwt } = await withLocalUser(s, 'alice@example.com');
    const eve = await s.k.createUser(admin, 'eve');
    const eveJwt = await s.k.login('eve');
    // Any user may change their own content (auth:updateSelf): the email proves nothing by itself.
    expect((await s.k.call('PUT', '/_me', { jwt: eveJwt, body: { email: 'ALICE@example.com' } })).status).toBe(200);
    const offered = await oauthLogin(s, 'alice');
    expect(offered.status).toBe(401);
    const secret = linkSecretOf(offered);

    const create = (token: string, body: Record<string, unknown>) => s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt: token, body });
    for (const body of [{ confirmLink: true }, { confirmLink: true, linkSecret: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` }, { confirmLink: true, linkSecret: 'short' }]) {
      const refused = await create(eveJwt, body);
      expect(refused.status, JSON.stringify(body)).toBe(403);
    }
    expect((await s.k.call('GET', `/credentials/oauth-test/${eve}/_exists`, { jwt: admin })).body.result).toBe(false);

    const confirmed = await create(jwt, { confirmLink: true, linkSecret: secret });
    expect(confirmed.status, JSON.stringify(confirmed.body.error)).toBe(200);
    const login = await oauthLogin(s, 'alice');
    expect((await s.k.call('GET', '/_me', { jwt: login.body.result.jwt as string })).body.result._id).toBe(kuid);
    // The secret is used up, and never written to the log.
    expect((await create(eveJwt, { confirmLink: true, linkSecret: secret })).status).toBe(403);
    expect(s.k.logs().join('\n')).not.toContain(secret);
  });

  it('verifiedEmail off: confirmLink is refused', async () => {
    const s = await start();
    const { jwt } = await withLocalUser(s);
    const refused = await s.k.call('POST', '/_me/credentials/oauth-test/_create', { jwt, body: { confirmLink: true } });
    expect(refused.status).toBe(403);
  });
});

describe('unlinking', () => {
  it('after an unlink, a login with the identity creates nothing when createUsers is off', async () => {
    const s = await start({ createUsers: false });
    const { kuid, admin } = await withLocalUser(s);
    expect((await s.k.call('POST', `/credentials/oauth-test/${kuid}/_create`, { jwt: admin, body: { subject: 'alice' } })).status).toBe(200);
    expect((await oauthLogin(s, 'alice')).status).toBe(200);
    const users = await userCount(s, admin);

    const unlinked = await s.k.call('DELETE', `/credentials/oauth-test/${kuid}`, { jwt: admin });
    expect(unlinked.status, JSON.stringify(unlinked.body.error)).toBe(200);
    const after = await oauthLogin(s, 'alice');
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ id: 'plugin.strategy.missing_user', message: 'no account is linked to this identity' });
    expect(await userCount(s, admin)).toBe(users);
    expect((await s.k.call('GET', `/credentials/oauth-test/${kuid}`, { jwt: admin })).body.result).toEqual({});
  });

  it('after an unlink, a login with the identity is a first login again when createUsers is on', async () => {
    const s = await start();
    const first = await oauthLogin(s, 'alice');
    const jwt = first.body.result.jwt as string;
    const kuid = (await s.k.call('GET', '/_me', { jwt })).body.result._id as string;
    expect((await s.k.call('DELETE', '/_me/credentials/oauth-test', { jwt })).status).toBe(200);
    const again = await oauthLogin(s, 'alice');
    expect(again.status).toBe(200);
    expect((await s.k.call('GET', '/_me', { jwt: again.body.result.jwt as string })).body.result._id).not.toBe(kuid);
  });

  it("an admin's update moves the user to another identity; deleting the user unlinks it", async () => {
    const s = await start({ createUsers: false });
    s.provider.accounts.set('alice2', { email: 'alice@example.org', email_verified: true });
    const { kuid, admin } = await withLocalUser(s);
    await s.k.call('POST', `/credentials/oauth-test/${kuid}/_create`, { jwt: admin, body: { subject: 'alice' } });
    const updated = await s.k.call('PUT', `/credentials/oauth-test/${kuid}/_update`, { jwt: admin, body: { subject: 'alice2', email: 'alice@example.org' } });
    expect(updated.status, JSON.stringify(updated.body.error)).toBe(200);
    expect(updated.body.result).toMatchObject({ subject: 'alice2', email: 'alice@example.org' });
    expect((await oauthLogin(s, 'alice')).status).toBe(401);
    const moved = await oauthLogin(s, 'alice2');
    expect((await s.k.call('GET', '/_me', { jwt: moved.body.result.jwt as string })).body.result._id).toBe(kuid);

    expect((await s.k.call('DELETE', `/users/${kuid}`, { jwt: admin })).status).toBe(200);
    const afterDeletion = await oauthLogin(s, 'alice2');
    expect(afterDeletion.status).toBe(401);
    expect(afterDeletion.body.error?.message).toBe('no account is linked to this identity');
  });
});
