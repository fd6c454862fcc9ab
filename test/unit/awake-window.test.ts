import { setImmediate as nextTurn } from 'node:timers/promises';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { AwakeWindow, CROWDED_CALLS } from '../../sdk-plugin/src/awake-window.js';
import { HostChannel } from '../../sdk-plugin/src/host-channel.js';

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

describe("a plugin thread's host channel", () => {
  const withChannel = async (use: (host: HostChannel) => Promise<void>) => {
    const { port1, port2 } = new MessageChannel();
    const host = new HostChannel(port1, 'bench', 5_000);
    try {
      await use(host);
    } finally {
      port1.close();
      port2.close();
    }
  };
  const settle = async (host: HostChannel) => {
    // Let a window from an earlier post run out (150 µs), so only the next post decides.
    const started = process.hrtime.bigint();
    while (host.polling && process.hrtime.bigint() - started < 1_000_000_000n) await nextTurn();
  };

  it('polls after posting a result while it serves a few tasks: the next message is microseconds away', async () => {
    await withChannel(async (host) => {
      host.taskStarted();
      host.taskStarted();
      host.taskPosted();
      expect(host.polling).toBe(true);
    });
  });

  it(`does not poll while it serves ${CROWDED_CALLS} tasks or more: a sleeping thread is woken by the next of many messages, and polling takes CPU from the others`, async () => {
    await withChannel(async (host) => {
      for (let i = 0; i <= CROWDED_CALLS; i++) host.taskStarted();
      host.taskPosted();
      await nextTurn();
      await nextTurn();
      expect(host.polling).toBe(false);
      // Fewer tasks again: polling pays again.
      for (let i = 0; i < CROWDED_CALLS; i++) host.taskPosted();
      await settle(host);
      host.taskStarted();
      host.taskPosted();
      expect(host.polling).toBe(true);
    });
  });
});
