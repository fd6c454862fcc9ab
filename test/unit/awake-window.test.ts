import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AwakeWindow } from '../../sdk-plugin/src/awake-window.js';

describe('the awake window', () => {
  it('stops polling at once when no quick answer is awaited (a bcrypt call, a posted result)', async () => {
    let awaiting = true;
    const window = new AwakeWindow(() => awaiting);
    window.extend();
    expect(window.polling).toBe(true);
    awaiting = false;
    await nextTurn();
    await nextTurn();
    // Two turns take a few µs, well inside the 150 µs window: the predicate stopped it.
    expect(window.polling).toBe(false);
  });

  it('stops polling when the window has passed, even while an answer is awaited', async () => {
    const window = new AwakeWindow(() => true);
    window.extend();
    const started = process.hrtime.bigint();
    while (window.polling && process.hrtime.bigint() - started < 1_000_000_000n) await nextTurn();
    expect(window.polling).toBe(false);
  });
});
