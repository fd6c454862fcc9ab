/**
 * Input that once crashed the kernel or broke user administration, and the
 * races on the admin profile: each a regression test named after what broke.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedRoutes } from '../../kernel/http/route-order.js';
import { defineAction } from '../../kernel/api/action.js';
import { ADMIN_PASSWORD, startApiKernel, type ApiKernel, errorOf } from '../helpers/api-kernel.js';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('hostile input', () => {
  let k: ApiKernel;
  let admin: string;
  beforeAll(async () => {
    k = await startApiKernel();
    admin = await k.firstAdmin();
  });
  afterAll(() => k.stop());

  it('a login body nested 20,000 levels deep (it crashed the process) is a 400, and the kernel serves on', async () => {
    const body = `{"username":"x","password":"y","x":${nested(20_000)}}`;
    for (const path of ['/_login/local', '/_/local/password/reset', '/_query']) {
      expect(errorOf(await k.call('POST', path, { body }))).toEqual({ status: 400, id: 'network.http.body_parse_failed' });
    }
    expect(errorOf(await k.call('GET', '/_now', { headers: { 'x-kuzzle-volatile': '['.repeat(7000) + ']'.repeat(7000) } }))).toEqual({
      status: 400,
      id: 'network.http.volatile_parse_failed',
    });
    // 64 levels pass; nesting inside strings does not count.
    const fine = await k.call('POST', '/_login/local', { body: { username: 'x', password: '{'.repeat(100), x: JSON.parse(nested(63)) } });
    expect(errorOf(fine)).toEqual({ status: 401, id: 'plugin.strategy.missing_user' });
    expect((await k.call('GET', '/_now')).status).toBe(200);
  });

  it('a value the isolate cannot receive fails that call only', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const request = { requestId: 'r', controller: 'security', action: 'validateCredentials', userId: null, tokenId: null, args: {}, ip: null };
    await expect(
      k.kernel.plugins.registry.call('local', 'validate', { request, credentials: deep as never, kuid: 'k', strategy: 'local', isUpdate: false }),
    ).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error' });
    expect((await k.call('GET', '/_now')).status).toBe(200);
  });

  it('user content is bounded (a deep or huge content broke every later search over users)', async () => {
    const alice = await k.login(await k.createUser(admin, 'alice').then(() => 'alice'));
    const huge = { bio: 'x'.repeat(70 * 1024) };
    expect(errorOf(await k.call('PUT', '/_me', { jwt: alice, body: huge }))).toEqual({ status: 400, id: 'api.assert.invalid_argument' });
    expect(errorOf(await k.call('PUT', '/_me', { jwt: alice, body: JSON.parse(nested(70)) }))).toEqual({ status: 400, id: 'network.http.body_parse_failed' });
    const search = await k.call('POST', '/users/_search', { jwt: admin, body: { query: { term: { bio: 'x' } } } });
    expect(search.status).toBe(200);
  });
});

describe('races on the admin profile', () => {
  it('two concurrent createFirstAdmin calls make one admin, and one without credentials is refused', async () => {
    const k = await startApiKernel();
    try {
      expect(errorOf(await k.call('POST', '/_createFirstAdmin/nobody', { body: {} }))).toEqual({ status: 400, id: 'api.assert.missing_argument' });
      const create = (name: string) =>
        k.call('POST', `/_createFirstAdmin/${name}`, { body: { credentials: { local: { username: name, password: ADMIN_PASSWORD } } } });
      const answers = await Promise.all([create('first'), create('second')]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
      const loser = answers.find((a) => a.status === 412)!.body.error!;
      expect(loser.id).toBe('api.process.admin_exists');
      // The loser's user and credentials were rolled back: its username is free.
      const winner = answers.find((a) => a.status === 200)!.body.result._id as string;
      const token = await k.login(winner, ADMIN_PASSWORD);
      const users = await k.call('POST', '/users/_search', { jwt: token, body: {} });
      expect(users.body.result.total).toBe(1);
    } finally {
      await k.stop();
    }
  });

  it('concurrent deletions or a deletion and a demotion never leave zero admins', async () => {
    const k = await startApiKernel();
    try {
      const admin = await k.firstAdmin();
      const makeAdmin = (name: string, jwt: string) =>
        k.call('POST', `/users/${name}/_create`, { jwt, body: { content: { profileIds: ['admin'] }, credentials: { local: { username: name, password: ADMIN_PASSWORD } } } });
      await makeAdmin('admin2', admin);
      const deletions = await Promise.all([k.call('DELETE', '/users/admin', { jwt: admin }), k.call('DELETE', '/users/admin2', { jwt: admin })]);
      expect(deletions.map((a) => a.status).sort()).toEqual([200, 412]);
      const survivor = deletions[0]!.status === 412 ? 'admin' : 'admin2';
      const token = await k.login(survivor, ADMIN_PASSWORD);
      await makeAdmin('admin3', token);
      const [deleted, demoted] = await Promise.all([
        k.call('DELETE', `/users/${survivor}`, { jwt: token }),
        k.call('PUT', '/users/admin3/_update', { jwt: token, body: { profileIds: ['default'] } }),
      ]);
      expect([deleted.status, demoted.status].sort()).toEqual([200, 412]);
      expect(errorOf(await k.call('POST', '/_createFirstAdmin/evil', { body: { credentials: { local: { username: 'evil', password: ADMIN_PASSWORD } } } }))).toEqual({
        status: 412,
        id: 'api.process.admin_exists',
      });
    } finally {
      await k.stop();
    }
  });
});

describe('route order', () => {
  it('puts fixed segments first whatever the order routes were declared in (a parameter route shadowed /pets/all)', () => {
    const action = (path: string) => defineAction({ controller: 'zoo', action: path, http: [{ verb: 'get', path }], summary: '', handler: () => null });
    const paths = ['/pets/:id', '/pets', '/pets/all'];
    for (const order of [paths, [...paths].reverse(), [paths[1]!, paths[0]!, paths[2]!]]) {
      const sorted = orderedRoutes(order.map(action)).map((r) => r.route.path);
      expect(sorted.indexOf('/pets/all')).toBeLessThan(sorted.indexOf('/pets/:id'));
    }
  });
});
