import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

/**
 * An overload: more logins at once than the shared bcrypt pool finishes
 * within a call's deadline. The calls past it are answered 504, but the
 * plugin thread is not stuck (it waits on the kernel's bcrypt work), so it
 * is not stopped: the other logins it serves still succeed.
 */
describe('a call whose deadline passes while its thread waits on the kernel\'s bcrypt work', () => {
  const running: ApiKernel[] = [];
  afterEach(async () => {
    for (const k of running.splice(0)) await k.stop();
  });

  it('is answered 504 alone: the thread keeps serving, no other call fails with it, and nothing restarts', async () => {
    // cost 12: about 250 ms a compare here, so 32 logins at once outlast a 1.5 s deadline on any machine.
    const local = { config: { cost: 12, lockout: { maxFailures: 1000 } } };
    const setup = await startApiKernel({ local });
    running.push(setup);
    const admin = await setup.firstAdmin();
    await setup.createUser(admin, 'jo');
    await setup.stop();
    running.pop();

    // The kernel's own login throttle off: it would answer most of a burst on one account 429 first.
    const config = { loginIpFailures: 0, loginAccountFailures: 0 };
    const k = await startApiKernel({ dataDir: setup.dataDir, local: { ...local, callTimeoutMs: 1500 }, config });
    running.push(k);
    const answers = await Promise.all(Array.from({ length: 32 }, () => k.call('POST', '/_login/local', { body: { username: 'jo', password: 'a long enough passphrase' } })));
    const outcomes = answers.map((answer) => (answer.status === 200 ? 'ok' : `${errorOf(answer).status} ${errorOf(answer).id}`));
    // Some past the deadline (the pool does 4-6 at a time), the rest served.
    expect(outcomes).toContain('504 plugin.runtime.timeout');
    expect(outcomes).toContain('ok');
    // Never "the thread serving this call was stopped" (503): no call failed because another passed its deadline.
    expect(outcomes.filter((outcome) => outcome !== 'ok' && outcome !== '504 plugin.runtime.timeout')).toEqual([]);
    expect(k.logs().join('\n')).not.toContain('passed its deadline');
    const health = await k.call('GET', '/_healthCheck');
    expect(JSON.stringify(health.body.result)).not.toContain('backing-off');
    // Once the pool has finished the compares of the calls that timed out, a login is served again.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await k.call('POST', '/_login/local', { body: { username: 'jo', password: 'a long enough passphrase' } })).status;
      expect([200, 504]).toContain(status);
    }
    expect(status).toBe(200);
  }, 60_000);
});
