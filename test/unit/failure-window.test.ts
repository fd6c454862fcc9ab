/**
 * The failure window of login throttling, on a clock the test moves: a
 * burst of `limit`, then one failure each `windowMs / limit`, exact waits,
 * give-backs, and a bounded number of keys.
 */
import { describe, expect, it } from 'vitest';
import { FailureWindow } from '../../kernel/security/failure-window.js';

function clockedWindow(limit: number, windowMs: number, maxKeys = 1000) {
  const clock = { now: 1_000_000 };
  const window = new FailureWindow({ limit, windowMs, maxKeys, now: () => clock.now });
  return { window, clock };
}

describe('FailureWindow', () => {
  it('takes `limit` failures at once, then refuses with the exact wait for the next', () => {
    const { window, clock } = clockedWindow(3, 3000);
    for (let i = 0; i < 3; i++) expect(window.take('k')).toBe(true);
    expect(window.take('k')).toBe(false);
    expect(window.wait('k')).toBe(1000);
    clock.now += 400;
    expect(window.wait('k')).toBeCloseTo(600);
    expect(window.take('k')).toBe(false);
    clock.now += 600;
    expect(window.wait('k')).toBe(0);
    expect(window.take('k')).toBe(true);
    expect(window.take('k')).toBe(false);
  });

  it('never lets more than limit + limit * T / windowMs failures through over a span T', () => {
    const { window, clock } = clockedWindow(10, 600_000);
    let taken = 0;
    // One attempt every second for an hour.
    for (let second = 0; second < 3600; second++) {
      if (window.take('k')) taken++;
      clock.now += 1000;
    }
    // The burst at 0-9 s, then one at each minute from 60 s to 3540 s: 10 + 59, within the bound of 10 + 60.
    expect(taken).toBe(69);
  });

  it('keeps keys apart', () => {
    const { window } = clockedWindow(2, 1000);
    window.take('a');
    window.take('a');
    expect(window.take('a')).toBe(false);
    expect(window.take('b')).toBe(true);
  });

  it('fits limit failures even when windowMs / limit is not a whole number', () => {
    const { window } = clockedWindow(3, 1000);
    expect([window.take('k'), window.take('k'), window.take('k'), window.take('k')]).toEqual([true, true, true, false]);
  });

  it('gives one failure back, and forgets a key entirely', () => {
    const { window } = clockedWindow(2, 1000);
    window.take('k');
    window.take('k');
    window.giveBack('k');
    expect(window.take('k')).toBe(true);
    expect(window.take('k')).toBe(false);
    window.forget('k');
    expect(window.size).toBe(0);
    expect([window.take('k'), window.take('k')]).toEqual([true, true]);
  });

  it('drops a key given back to nothing, and ignores a give-back of an unknown key', () => {
    const { window } = clockedWindow(2, 1000);
    window.giveBack('never');
    expect(window.size).toBe(0);
    window.take('k');
    window.giveBack('k');
    expect(window.size).toBe(0);
  });

  it('remembers at most maxKeys keys, evicting the least recently failed', () => {
    const { window, clock } = clockedWindow(1, 60_000, 3);
    for (const key of ['a', 'b', 'c']) {
      window.take(key);
      clock.now += 1;
    }
    // a fails again (refused: nothing counted, so it stays the oldest); b is refused too.
    expect(window.take('a')).toBe(false);
    for (let i = 0; i < 10_000; i++) window.take(`rotating-${i}`);
    expect(window.size).toBe(3);
    // The rotation pushed a, b and c out: their failures are forgotten.
    expect(window.take('a')).toBe(true);
    expect(window.size).toBe(3);
  });

  it('refuses settings that make no window', () => {
    expect(() => new FailureWindow({ limit: 0, windowMs: 1000, maxKeys: 1 })).toThrow();
    expect(() => new FailureWindow({ limit: 1, windowMs: 0, maxKeys: 1 })).toThrow();
    expect(() => new FailureWindow({ limit: 1, windowMs: 1000, maxKeys: 0 })).toThrow();
  });
});
