import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

describe('smoke', () => {
  let k: ApiKernel;
  beforeAll(async () => {
    k = await startApiKernel();
  });
  afterAll(() => k.stop());

  it('logs in', async () => {
    const admin = await k.firstAdmin();
    const me = await k.call('GET', '/_me', { jwt: admin });
    expect(me.body.result).toMatchObject({ _id: 'admin', strategies: ['local'] });
    const kuid = await k.createUser(admin, 'alice');
    const alice = await k.login('alice');
    expect((await k.call('GET', '/_me', { jwt: alice })).body.result._id).toBe(kuid);
    expect((await k.call('GET', '/_publicApi')).body.result.auth.login).toBeDefined();
    expect((await k.call('POST', '/_logout', { jwt: alice })).body.result).toEqual({ acknowledged: true });
    expect((await k.call('GET', '/_me', { jwt: alice })).body.error?.id).toBe('security.token.invalid');
  });
});
