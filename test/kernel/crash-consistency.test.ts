/**
 * SIGKILL during a burst of user creations, credential updates, logins and
 * logouts, with the kernel as a real process and the real local plugin
 * (bcrypt cost 10, the production floor, so creations take long enough to
 * be cut short). After a restart on the same DATA_DIR: every user either
 * exists with its local credentials or not at all, every creation answered
 * 200 is there, every answered password change holds, and every token
 * answered before the kill is as it was (valid, or revoked).
 */
import { describe, expect, it } from 'vitest';
import { startKernelProcess } from '../helpers/kernel-process.js';
import { pluginsDirWith, tempDir } from '../helpers/fixtures.js';
import { preparePlugins } from '../helpers/test-kernel.js';

const PASSWORD = 'a long enough passphrase';
const NEW_PASSWORD = 'another long enough passphrase';
const CREATIONS = 40;
/** Creations answered before the kill: the rest (30 or so) are in flight, most of them past the user row. */
const KILL_AFTER = 10;

type Answer = { status: number; body: { result: any; error: { id: string } | null } }; // eslint-disable-line @typescript-eslint/no-explicit-any -- each check reads the result it expects

/** JSON calls on a kernel at `url`; a connection the kill cut is status 0. */
function client(url: string) {
  return async (method: string, path: string, options: { body?: unknown; jwt?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
    try {
      const response = await fetch(`${url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
      return { status: response.status, body: (await response.json()) as Answer['body'] };
    } catch {
      return { status: 0, body: { result: null, error: null } };
    }
  };
}

describe('a kernel killed during a burst of writes', () => {
  it('comes back with every user whole or absent, and every answered token as it was', async () => {
    const plugins = preparePlugins({ local: { fixture: '', config: { cost: 10 } } }, pluginsDirWith(['local']));
    const env = { DATA_DIR: tempDir(), PLUGINS_CONFIG: plugins.pluginsConfig, PLUGINS_DIR: plugins.pluginsDir, LOGIN_IP_FAILURES: '0', LOGIN_ACCOUNT_FAILURES: '0' };
    const first = startKernelProcess(env);
    const call = client(await first.listening);
    const login = async (username: string, password = PASSWORD) => (await call('POST', '/_login/local', { body: { username, password } })).body.result?.jwt as string;

    expect((await call('POST', '/_createFirstAdmin/admin', { body: { credentials: { local: { username: 'admin', password: PASSWORD } } } })).status).toBe(200);
    const admin = await login('admin');
    const create = (name: string) => call('POST', `/users/${name}/_create`, { jwt: admin, body: { content: { profileIds: ['default'] }, credentials: { local: { username: name, password: PASSWORD } } } });
    for (const name of ['tim', 'una', 'pia-0', 'pia-1', 'pia-2', 'pia-3']) expect((await create(name)).status).toBe(200);
    // Tokens from before the burst: some kept, some revoked.
    const kept = [admin, await login('tim'), await login('una')];
    const revoked = [await login('tim'), await login('una')];
    for (const jwt of revoked) expect((await call('POST', '/_logout', { jwt })).status).toBe(200);

    // The burst: creations, password changes by the admin, logins and logouts, all at once.
    let answered = 0;
    const creations = Array.from({ length: CREATIONS }, (_, i) => `burst-${String(i).padStart(2, '0')}`).map((name) => ({
      name,
      answer: create(name).then((answer) => {
        if (answer.status === 200 && ++answered === KILL_AFTER) first.child.kill('SIGKILL');
        return answer;
      }),
    }));
    const updates = [0, 1, 2, 3].map((i) => ({ name: `pia-${i}`, answer: call('PUT', `/credentials/local/pia-${i}/_update`, { jwt: admin, body: { password: NEW_PASSWORD } }) }));
    const logins = ['tim', 'una'].map((name) => call('POST', '/_login/local', { body: { username: name, password: PASSWORD } }));
    const logouts = [kept[1]!].map((jwt) => call('POST', '/_logout', { jwt }));
    await first.exited;
    const created = await Promise.all(creations.map(async ({ name, answer }) => ({ name, status: (await answer).status })));
    const updated = await Promise.all(updates.map(async ({ name, answer }) => ({ name, status: (await answer).status })));
    const burstTokens = (await Promise.all(logins)).filter((a) => a.status === 200).map((a) => a.body.result.jwt as string);
    const loggedOut = (await Promise.all(logouts)).map((a, i) => ({ jwt: [kept[1]!][i]!, answered: a.status === 200 }));
    expect(created.filter((c) => c.status === 200).length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(created.filter((c) => c.status === 0).length).toBeGreaterThan(0);

    const second = startKernelProcess(env);
    const again = client(await second.listening);
    try {
      // The kill cut creations short, and boot undid them.
      expect(second.output().match(/undid an unfinished user creation/g)?.length ?? 0).toBeGreaterThan(0);
      const jwt = (await again('POST', '/_login/local', { body: { username: 'admin', password: PASSWORD } })).body.result.jwt as string;
      const users = (await again('POST', '/users/_search?size=1000', { jwt, body: { query: { ids: { values: created.map((c) => c.name) } } } })).body.result.hits.map((h: { _id: string }) => h._id).sort();
      const holders = (await again('POST', '/credentials/local/users/_search?size=1000', { jwt, body: { query: { usernamePrefix: 'burst-' } } })).body.result.hits.map((h: { kuid: string }) => h.kuid).sort();
      // Every user has its credentials, and no credentials outlive a creation undone.
      expect(holders).toEqual(users);
      for (const { name, status } of created) if (status === 200) expect(users).toContain(name);
      for (const name of users) expect((await again('POST', '/_login/local', { body: { username: name, password: PASSWORD } })).status).toBe(200);
      for (const { name, status } of updated) {
        const withNew = (await again('POST', '/_login/local', { body: { username: name, password: NEW_PASSWORD } })).status;
        const withOld = (await again('POST', '/_login/local', { body: { username: name, password: PASSWORD } })).status;
        // One password works: the new one if the change was answered.
        expect([withNew, withOld].sort()).toEqual([200, 401]);
        if (status === 200) expect(withNew).toBe(200);
      }
      const valid = async (token: string) => (await again('POST', '/_checkToken', { body: { token } })).body.result.valid as boolean;
      for (const token of [admin, kept[2]!, ...burstTokens]) expect(await valid(token)).toBe(true);
      for (const token of revoked) expect(await valid(token)).toBe(false);
      for (const { jwt: token, answered: done } of loggedOut) if (done) expect(await valid(token)).toBe(false);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 30_000);
});
