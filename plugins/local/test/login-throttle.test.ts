import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginStore } from '../../../kernel/storage/plugin-store.js';
import { tempDir } from '../../../test/helpers/fixtures.js';
import { LoginThrottle, type FailureRecords } from '../src/login-throttle.js';

/** The lockout's arithmetic and sweeping on a real namespace file, with a clock the test moves. */
const WINDOW = 60_000;
let store: PluginStore | undefined;

afterEach(() => store?.close());

function throttleAt(clock: { now: number }, maxFailures = 3) {
  store = PluginStore.open(join(tempDir('portcullis-lockout-'), 'local.sqlite'));
  store.declareCollection({ name: 'login-failures', indexes: [{ field: 'window', unique: false }] });
  const namespace = store;
  const records: FailureRecords = {
    increment: async (id, field, by = 1, initial = {}) => namespace.increment('login-failures', id, field, by, initial),
    get: async (id) => namespace.get('login-failures', id),
    delete: async (id) => namespace.delete('login-failures', id),
    search: async (query = {}) => namespace.search('login-failures', query),
  };
  return { throttle: new LoginThrottle(records, maxFailures, WINDOW, () => clock.now), count: () => namespace.count('login-failures') };
}

describe('the local lockout', () => {
  it('admits maxFailures attempts, then says how long until an attempt may pass again', async () => {
    const clock = { now: 10 * WINDOW + 10_000 };
    const { throttle } = throttleAt(clock);
    for (let i = 0; i < 3; i++) expect(await throttle.admit('ada')).toBe(0);
    // These 4 attempts are the next window's window before: it admits none, so the wait runs to its end.
    expect(await throttle.admit('ada')).toBe(50_000 + WINDOW);
    expect(await throttle.admit('grace')).toBe(0);
  });

  it("admits no more than maxFailures around a window's edge: the window before counts (review finding)", async () => {
    const clock = { now: 11 * WINDOW - 1000 };
    const { throttle } = throttleAt(clock);
    for (let i = 0; i < 3; i++) expect(await throttle.admit('ada')).toBe(0);
    clock.now = 11 * WINDOW + 1000;
    expect(await throttle.admit('ada')).toBe(WINDOW - 1000);
    // Two windows on, the attempts above are forgotten.
    clock.now = 13 * WINDOW;
    expect(await throttle.admit('ada')).toBe(0);
  });

  it('admits at most maxFailures of concurrent attempts, less those of the window before', async () => {
    const clock = { now: 10 * WINDOW };
    const { throttle } = throttleAt(clock);
    const first = await Promise.all(Array.from({ length: 5 }, () => throttle.admit('ada')));
    expect(first.filter((wait) => wait === 0)).toHaveLength(3);
    clock.now = 12 * WINDOW;
    await throttle.admit('ada');
    clock.now += WINDOW;
    const next = await Promise.all(Array.from({ length: 5 }, () => throttle.admit('ada')));
    expect(next.filter((wait) => wait === 0)).toHaveLength(2);
  });

  it('waits at least a second, even at the very end of a window', async () => {
    const clock = { now: 10 * WINDOW };
    const { throttle } = throttleAt(clock);
    for (let i = 0; i < 3; i++) await throttle.admit('ada');
    clock.now = 12 * WINDOW - 1;
    expect(await throttle.admit('ada')).toBe(1000);
  });

  it('clears both counted windows on success', async () => {
    const clock = { now: 10 * WINDOW };
    const { throttle } = throttleAt(clock);
    for (let i = 0; i < 3; i++) await throttle.admit('ada');
    clock.now += WINDOW;
    await throttle.admit('ada');
    await throttle.clear('ada');
    for (let i = 0; i < 3; i++) expect(await throttle.admit('ada')).toBe(0);
  });

  it('sweeps the records older than the window before, in pages, once a new window begins', async () => {
    const clock = { now: 10 * WINDOW };
    const { throttle, count } = throttleAt(clock);
    // More names than one sweep page holds.
    for (let i = 0; i < 1200; i++) await throttle.admit(`guess-${i}`);
    await throttle.settled();
    expect(count()).toBe(1200);
    clock.now += WINDOW;
    await throttle.admit('ada');
    await throttle.settled();
    // Still the window before: kept.
    expect(count()).toBe(1201);
    clock.now += WINDOW;
    await throttle.admit('ada');
    await throttle.settled();
    expect(count()).toBe(2);
  });
});
