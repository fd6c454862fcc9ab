/**
 * The first login of an identity creates one user, whatever goes wrong:
 * cut short between the user's creation and the identity's record (the
 * failure made real with a SQLite trigger in the plugin's own file), a
 * user creation that failed, refused, or raced by a second first login.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oauthLogin, oauthPerTest, withSqlite, type KernelAnswer, type OAuthSetup } from './oauth-kernel.js';

const start = oauthPerTest({ alice: { email: 'alice@example.com', email_verified: true, name: 'Alice' } });
const KERNEL_DB = 'kernel.sqlite';
const PLUGIN_DB = join('plugins', 'oauth.sqlite');

/** Makes every write of the given kind to `table` fail inside SQLite, as a full disk or an I/O error would, until `heal()`. */
function breakWrites(s: OAuthSetup, file: string, table: string, kind: 'INSERT' | 'UPDATE'): { heal(): void } {
  withSqlite(s, (db) => db.exec(`CREATE TRIGGER broken BEFORE ${kind} ON "${table}" BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`), file);
  return { heal: () => withSqlite(s, (db) => db.exec('DROP TRIGGER broken'), file) };
}

/** The stored identities of the plugin's namespace (table `c_identities`). */
function identities(s: OAuthSetup): Array<{ kuid: string | null; pending?: boolean }> {
  return withSqlite(s, (db) => db.prepare('SELECT body FROM c_identities').pluck().all() as string[]).map((body) => JSON.parse(body));
}

/** The users whose email is alice's, by kuid. */
async function alices(s: OAuthSetup, admin: string): Promise<string[]> {
  const found = await s.k.call('POST', '/users/_search', { jwt: admin, body: { query: { term: { email: 'alice@example.com' } } } });
  return (found.body.result.hits as Array<{ _id: string }>).map((hit) => hit._id);
}

async function kuidOf(s: OAuthSetup, answer: KernelAnswer): Promise<string> {
  expect(answer.status, JSON.stringify(answer.body.error)).toBe(200);
  return (await s.k.call('GET', '/_me', { jwt: answer.body.result.jwt as string })).body.result._id as string;
}

describe('first login', () => {
  it('duplicate user after a crash: a first login cut short after creating its user is finished by the next login with that user, however late', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    // The user is created, then recording the identity fails: the state a thread dying between the two leaves.
    const disk = breakWrites(s, PLUGIN_DB, 'c_identities', 'UPDATE');
    const cut = await oauthLogin(s, 'alice');
    expect(cut.status).toBe(500);
    disk.heal();
    const created = await alices(s, admin);
    expect(created).toHaveLength(1);
    // Long after, as far as the record's clock says: no age makes the reservation anyone else's.
    withSqlite(s, (db) => db.prepare(`UPDATE c_identities SET body = json_set(body, '$.at', 0)`).run());

    const next = await oauthLogin(s, 'alice');
    expect(await kuidOf(s, next)).toBe(created[0]);
    expect(await alices(s, admin)).toEqual(created);
    expect(identities(s)).toEqual([expect.objectContaining({ kuid: created[0], pending: false })]);
  });

  it('a user creation that failed inside the kernel (a 5xx) is tried again by the next login, with the kuid reserved first', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const disk = breakWrites(s, KERNEL_DB, 'users', 'INSERT');
    const failed = await oauthLogin(s, 'alice');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    disk.heal();
    expect(await alices(s, admin)).toEqual([]);
    // The user may have been created for all the plugin knows: the reservation stays, kuid and all.
    const [reserved] = identities(s);
    expect(reserved).toMatchObject({ pending: true, kuid: expect.stringMatching(/^kuid-/) });

    expect(await kuidOf(s, await oauthLogin(s, 'alice'))).toBe(reserved?.kuid);
    expect(await alices(s, admin)).toEqual([reserved?.kuid]);
  });

  it('a retry refused by the kernel (a profile not allowed since) keeps the user an earlier run cut short created: still one user once fixed', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const disk = breakWrites(s, PLUGIN_DB, 'c_identities', 'UPDATE');
    expect((await oauthLogin(s, 'alice')).status).toBe(500);
    disk.heal();
    const created = await alices(s, admin);
    expect(created).toHaveLength(1);

    // The kernel refuses the profile before it would find the kuid taken: a 4xx that created nothing this time.
    await s.restart({ defaultProfiles: ['admin'] });
    const refused = await oauthLogin(s, 'alice');
    expect(refused.status).toBe(200);
    expect(await kuidOf(s, refused)).toBe(created[0]);
    await s.restart({});
    expect(await kuidOf(s, await oauthLogin(s, 'alice'))).toBe(created[0]);
    expect(await alices(s, admin)).toEqual(created);
    expect(identities(s)).toEqual([expect.objectContaining({ kuid: created[0], pending: false })]);
  });

  it('a user creation the kernel refuses (a profile the plugin may not give) leaves the identity free', async () => {
    const s = await start({ defaultProfiles: ['admin'] });
    const refused = await oauthLogin(s, 'alice');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.id).toBe('api.assert.forbidden_argument');
    expect(identities(s)).toEqual([]);
  });

  it('two first logins of one identity at once both log in, as one user', async () => {
    const s = await start();
    const admin = await s.k.firstAdmin();
    const answers = await Promise.all([oauthLogin(s, 'alice'), oauthLogin(s, 'alice')]);
    const kuids = await Promise.all(answers.map((answer) => kuidOf(s, answer)));
    expect(new Set(kuids).size).toBe(1);
    expect(await alices(s, admin)).toEqual([kuids[0]]);
  });
});
