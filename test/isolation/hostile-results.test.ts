// A plugin answering what the kernel must not take, and flooding it, in a
// real kernel: every bad result fails only its own call with
// plugin.runtime.invalid_result, whether the runtime caught it or the
// plugin posted it past the runtime; floods leave the kernel serving.
// Also covered elsewhere: results for strategy methods (runtime-faults.test.ts
// "results a plugin must not return"), malformed messages and forged errors
// (hostile-isolate.test.ts), never answering (runtime-faults.test.ts
// "aborts a call whose promise never settles").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileKernel, type HostileKernel } from '../helpers/hostile-kernel.js';

let k: HostileKernel;
beforeAll(async () => {
  k = await startHostileKernel({ 'hostile-results': { fixture: 'hostile-results', threads: { min: 1, max: 1 } } });
});
afterAll(() => k.stop());

const attack = (name: string, args = {}) => k.attack('hostile-results', name, args);
const INVALID_RESULT = { id: 'plugin.runtime.invalid_result', status: 500 };

describe('results that are not plain JSON data of a sane size', () => {
  it.each([
    'too many values',
    'too long a string',
    'too deep',
    'cycle',
    'function',
    'symbol',
    'bigint',
    'NaN',
    'Infinity',
    'class instance',
    'Date',
    'Map',
    'SharedArrayBuffer',
    'typed array',
  ])('returned: %s fails its call with invalid_result', async (kind) => {
    await expect(attack('result', { kind })).rejects.toMatchObject(INVALID_RESULT);
    await expect(attack('ping')).resolves.toBe('pong');
  });

  it.each(['throwing getter', 'throwing proxy'])('returned: a %s fails its call, with the detail in the log only', async (kind) => {
    const error = (await attack('result', { kind }).catch((e: unknown) => e)) as { id: string; message: string };
    expect(error.id).toBe('plugin.runtime.unexpected_error');
    expect(error.message).not.toContain('blew up');
    await expect(attack('ping')).resolves.toBe('pong');
  });

  it.each(['too many values', 'too long a string', 'too deep', 'cycle', 'Date', 'Map', 'Error', 'SharedArrayBuffer', 'MessagePort'])(
    'posted past the runtime: %s is refused by the kernel itself',
    async (kind) => {
      await expect(attack('posted', { kind })).rejects.toMatchObject(INVALID_RESULT);
      await expect(attack('ping')).resolves.toBe('pong');
      expect(k.kernel.plugins.health()['hostile-results']).toMatchObject({ status: 'ready' });
    },
  );
});

describe('floods', () => {
  it('of results for calls that do not exist: ignored, the plugin stays ready', async () => {
    await expect(attack('flood-results', { count: 20_000 })).resolves.toEqual({ posted: 20_000 });
    await expect(attack('ping')).resolves.toBe('pong');
    expect(k.kernel.plugins.health()['hostile-results']).toMatchObject({ status: 'ready', crashesLastMinute: 0 });
  });

  it('of huge log lines: cut to 4,000 characters and throttled', async () => {
    const before = k.logs().length;
    await expect(attack('flood-logs', { count: 1000, chars: 200_000 })).resolves.toEqual({ posted: 1000 });
    await expect(attack('ping')).resolves.toBe('pong');
    const flood = k.logs().slice(before).filter((line) => line.includes('LLLL'));
    // A burst of 200, then 100 a second: far fewer than the 1,000 lines (200 MB) posted.
    expect(flood.length).toBeGreaterThan(0);
    expect(flood.length).toBeLessThan(1000);
    const lengths = flood.map((line) => line.length);
    expect(Math.min(...lengths)).toBeGreaterThan(4_000);
    expect(Math.max(...lengths)).toBeLessThan(4_500);
  });

  it('of host calls posted at once: each answered, at most 256 in flight, the kernel serving meanwhile', async () => {
    const flood = attack('flood-calls', { count: 10_000 }) as Promise<Record<string, number>>;
    // Requests made while the flood is being served are served too.
    const meanwhile = Promise.all([k.expectServing(), k.request('/_now')]);
    const [replies] = await Promise.all([flood, meanwhile]);
    // Every call answered: served, or refused at once past 256 in flight on the thread.
    expect(Object.values(replies).reduce((sum, n) => sum + n, 0)).toBe(10_000);
    expect(Object.keys(replies).sort()).toEqual(['ok', 'plugin.runtime.unavailable', 'services.storage.unknown_collection']);
    expect(replies['plugin.runtime.unavailable']).toBeGreaterThan(0);
    await k.expectServing();
  });
});
