/**
 * The credential ledger through the real app, real isolates and the real
 * kernel database: a plugin that vouches for a user it was never given
 * (the `impostor` fixture, as a compromised plugin) is refused, with the
 * answer of any failed login, an audit record and a warning naming it;
 * enrollment follows the kernel's own create and delete calls, and the
 * host's `users.create`; a user being created cannot log in until all its
 * credentials exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, errorOf, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

type Source = Record<string, unknown>;

describe('the credential ledger', () => {
  let k: ApiKernel;
  let admin: string;

  beforeAll(async () => {
    k = await startApiKernel({ plugins: { impostor: { fixture: 'impostor', allowedProfiles: ['default'] } } });
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  const impostorLogin = (body: Record<string, unknown>) => k.call('POST', '/_login/impostor', { body });
  const loginEvents = async (): Promise<Source[]> => {
    const answer = await k.call('POST', '/audit/_search?size=1000', { jwt: admin, body: { type: 'login', strategy: 'impostor' } });
    return (answer.body.result.hits as Array<{ _source: Source }>).map((hit) => hit._source);
  };
  const warnings = (text: string) => k.logs().map((line) => JSON.parse(line) as Source).filter((line) => line.level === 40 && String(line.msg).includes(text));
  const userCount = async () => (await k.call('POST', '/users/_search?size=0', { jwt: admin, body: {} })).body.result.total as number;

  it("refuses a verify naming the admin, whom the plugin never enrolled: 401 as a wrong password, an audit record, a warning naming the plugin", async () => {
    const refused = await impostorLogin({ vouchFor: 'admin' });
    const wrongPassword = await k.call('POST', '/_login/local', { body: { username: 'admin', password: 'not the password' } });
    expect(errorOf(refused)).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(refused.body.error).toEqual(wrongPassword.body.error);
    expect(refused.body.result).toBeNull();
    expect((await loginEvents())[0]).toMatchObject({ outcome: 'failure', kuid: null, reason: 'plugin.strategy.missing_user (not enrolled)' });
    expect(warnings('never enrolled')).toEqual([expect.objectContaining({ plugin: 'impostor', strategy: 'impostor', kuid: 'admin' })]);
  });

  it('lets the login through once the kernel created credentials in that strategy, and refuses it again after their deletion', async () => {
    const created = await k.call('POST', '/credentials/impostor/admin/_create', { jwt: admin, body: {} });
    expect(created.status).toBe(200);
    const accepted = await impostorLogin({ vouchFor: 'admin' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.result._id).toBe('admin');
    expect((await k.call('GET', '/_me', { jwt: accepted.body.result.jwt as string })).body.result.strategies).toEqual(['impostor', 'local']);

    expect((await k.call('DELETE', '/credentials/impostor/admin', { jwt: admin })).status).toBe(200);
    expect(errorOf(await impostorLogin({ vouchFor: 'admin' }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await k.call('GET', '/users/admin/_strategies', { jwt: admin })).body.result).toEqual({ strategies: ['local'], total: 1 });
  });

  it('keeps a user refused when the plugin fails to create its credentials, and enrolled when it refuses a second create', async () => {
    const kuid = await k.createUser(admin, 'bea');
    expect(errorOf(await k.call('POST', `/credentials/impostor/${kuid}/_create`, { jwt: admin, body: { fail: true } }))).toEqual({ status: 400, id: 'plugin.custom.bad_request' });
    expect(errorOf(await impostorLogin({ vouchFor: kuid }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await k.call('POST', `/credentials/impostor/${kuid}/_create`, { jwt: admin, body: {} })).status).toBe(200);
    // The plugin's own storage refuses a second document for the kuid: the first credentials stay usable.
    expect((await k.call('POST', `/credentials/impostor/${kuid}/_create`, { jwt: admin, body: {} })).status).not.toBe(200);
    expect((await impostorLogin({ vouchFor: kuid })).status).toBe(200);
  });

  it("undoes a user creation whose create failed after writing (500): the credentials it may have written are deleted too", async () => {
    const body = (impostor: Record<string, unknown>) => ({ content: { profileIds: ['default'] }, credentials: { local: { username: 'hal', password: ADMIN_PASSWORD }, impostor } });
    expect(errorOf(await k.call('POST', '/users/hal/_create', { jwt: admin, body: body({ writeThenFail: true }) }))).toEqual({ status: 500, id: 'plugin.runtime.unexpected_error' });
    expect(errorOf(await k.call('GET', '/users/hal', { jwt: admin }))).toEqual({ status: 404, id: 'security.user.not_found' });
    // Left-over impostor credentials would make this a 500 security.credentials.database_inconsistency.
    expect((await k.call('POST', '/users/hal/_create', { jwt: admin, body: body({}) })).status).toBe(200);
  });

  it('enrolls a user the plugin creates on first login through the host, in its own strategy, in the same step', async () => {
    const first = await impostorLogin({ identity: 'github:1' });
    expect(first.status).toBe(200);
    const kuid = first.body.result._id as string;
    expect((await impostorLogin({ identity: 'github:1' })).body.result._id).toBe(kuid);
    expect((await k.call('GET', '/_me', { jwt: first.body.result.jwt as string })).body.result).toMatchObject({ _id: kuid, _source: { identity: 'github:1', profileIds: ['default'] }, strategies: ['impostor'] });
  });

  it("refuses an enrollment in another plugin's strategy, creating no user; a user created without one cannot log in through the plugin", async () => {
    const before = await userCount();
    const foreign = await impostorLogin({ identity: 'github:2', enrollIn: 'local' });
    expect(errorOf(foreign)).toEqual({ status: 400, id: 'api.assert.forbidden_argument' });
    expect(foreign.body.error?.message).toContain('does not serve "local"');
    expect(await userCount()).toBe(before);

    const unenrolled = await impostorLogin({ identity: 'github:3', enrollIn: null });
    expect(errorOf(unenrolled)).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect(await userCount()).toBe(before + 1);
  });

  it('cannot enroll an existing user: users.create for the admin kuid fails, and the admin stays refused', async () => {
    const taken = await impostorLogin({ identity: 'github:4', kuid: 'admin' });
    expect(errorOf(taken)).toEqual({ status: 412, id: 'security.user.already_exists' });
    expect(errorOf(await impostorLogin({ vouchFor: 'admin' }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it("removes a user's rows with the user, even those of a plugin denying its credentials: a new user of the same kuid is not enrolled", async () => {
    // `hidden`: the plugin's exists denies them, so the deletion never calls its delete; the rows go with the user anyway.
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'cy', password: ADMIN_PASSWORD }, impostor: { hidden: true } } };
    expect((await k.call('POST', '/users/cy/_create', { jwt: admin, body })).status).toBe(200);
    expect((await impostorLogin({ vouchFor: 'cy' })).status).toBe(200);
    expect((await k.call('DELETE', '/users/cy', { jwt: admin })).status).toBe(200);
    await k.createUser(admin, 'cy-again', undefined, 'cy');
    expect(errorOf(await impostorLogin({ vouchFor: 'cy' }))).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
  });

  it('creates no credentials for a user deleted while they were validated, and enrolls a new user of that kuid (review finding)', async () => {
    await k.createUser(admin, 'flo', undefined, 'flo');
    const creation = k.call('POST', '/credentials/impostor/flo/_create', { jwt: admin, body: { gatedValidate: true } });
    // The impostor's validate waits at the gate while the user is deleted.
    while (!(await k.call('GET', '/_/impostor/gate/status', { jwt: admin })).body.result.waiting) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await k.call('DELETE', '/users/flo', { jwt: admin })).status).toBe(200);
    expect((await k.call('POST', '/_/impostor/gate/open', { jwt: admin })).status).toBe(200);
    expect(errorOf(await creation)).toEqual({ status: 404, id: 'security.user.not_found' });

    // A new user of the same kuid, created and enrolled by the plugin: no stale mark keeps it out.
    const created = await impostorLogin({ identity: 'github:5', kuid: 'flo' });
    expect(created.body.result?._id).toBe('flo');
    expect((await impostorLogin({ vouchFor: 'flo' })).status).toBe(200);
    expect((await k.call('GET', '/credentials/impostor/flo/_exists', { jwt: admin })).body.result).toBe(false);
  });

  it('lets nobody log in as a user whose credentials are still being created, until all of them exist', async () => {
    const body = { content: { profileIds: ['default'] }, credentials: { local: { username: 'dee', password: ADMIN_PASSWORD }, impostor: { gated: true } } };
    const creation = k.call('POST', '/users/dee/_create', { jwt: admin, body });
    // The impostor's create waits at the gate: the local credentials, created first, exist by then.
    while (!(await k.call('GET', '/_/impostor/gate/status', { jwt: admin })).body.result.waiting) await new Promise((resolve) => setTimeout(resolve, 20));
    const early = await k.call('POST', '/_login/local', { body: { username: 'dee', password: ADMIN_PASSWORD } });
    expect(errorOf(early)).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await k.call('POST', '/audit/_search', { jwt: admin, body: { type: 'login', identifier: 'dee' } })).body.result.hits[0]._source.reason).toBe('plugin.strategy.missing_user (credentials creating)');

    expect((await k.call('POST', '/_/impostor/gate/open', { jwt: admin })).status).toBe(200);
    expect((await creation).status).toBe(200);
    expect((await k.call('POST', '/_login/local', { body: { username: 'dee', password: ADMIN_PASSWORD } })).status).toBe(200);
  });
});
