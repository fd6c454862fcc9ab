import { describe, expect, it } from 'vitest';
import { checkJsonResult } from '../../sdk-plugin/src/json-result.js';
import { runPassportStrategy } from '../../sdk-plugin/src/runtime/passport-run.js';
import { CrashBackoff } from '../../kernel/plugins/crash-backoff.js';
import { LogThrottle } from '../../kernel/host/log-throttle.js';
import type { LoginRequest } from '../../sdk-plugin/src/protocol.js';

const request: LoginRequest = {
  body: {},
  query: {},
  headers: { 'x-test': 'yes' },
  ip: null,
  original: { requestId: 'r', controller: 'auth', action: 'login', userId: null, tokenId: null, args: {}, ip: null },
};

/** A passport strategy whose authenticate() runs `decide` with `this` bound as passport binds it. */
function strategy(decide: (self: Record<string, (...args: unknown[]) => void>, req: { get(name: string): string | undefined }) => void) {
  return { authenticate(this: Record<string, (...args: unknown[]) => void>, req: never) { decide(this, req); } };
}

describe('runPassportStrategy', () => {
  it.each([
    ['success', (s: Record<string, (...a: unknown[]) => void>) => s.success!('kuid-1'), { kind: 'success', kuid: 'kuid-1' }],
    ['fail with a message and status', (s: Record<string, (...a: unknown[]) => void>) => s.fail!({ message: 'no' }, 400), { kind: 'fail', message: 'no', status: 400 }],
    ['fail with a string challenge', (s: Record<string, (...a: unknown[]) => void>) => s.fail!('nope'), { kind: 'fail', message: 'nope', status: 401 }],
    ['fail with nothing', (s: Record<string, (...a: unknown[]) => void>) => s.fail!(), { kind: 'fail', message: 'Login failed', status: 401 }],
    // A verify result's reason, for the kernel's audit log: kept when a string, cut to 64 characters.
    ['fail with a reason', (s: Record<string, (...a: unknown[]) => void>) => s.fail!({ message: 'no', reason: 'unknown user' }), { kind: 'fail', message: 'no', status: 401, reason: 'unknown user' }],
    ['fail with a long reason', (s: Record<string, (...a: unknown[]) => void>) => s.fail!({ message: 'no', reason: 'r'.repeat(100) }), { kind: 'fail', message: 'no', status: 401, reason: 'r'.repeat(64) }],
    ['fail with a reason that is not a string', (s: Record<string, (...a: unknown[]) => void>) => s.fail!({ message: 'no', reason: { x: 1 } }), { kind: 'fail', message: 'no', status: 401 }],
    ['redirect', (s: Record<string, (...a: unknown[]) => void>) => s.redirect!('https://idp.example/authorize', 303), { kind: 'redirect', url: 'https://idp.example/authorize', status: 303 }],
    ['pass', (s: Record<string, (...a: unknown[]) => void>) => s.pass!(), { kind: 'pass' }],
  ])('maps %s', async (_name, decide, outcome) => {
    await expect(runPassportStrategy(strategy(decide), request, {})).resolves.toEqual(outcome);
  });

  it('settles on the first decision only', async () => {
    const twice = strategy((s) => {
      s.success!('first');
      s.fail!('second');
    });
    await expect(runPassportStrategy(twice, request, {})).resolves.toEqual({ kind: 'success', kuid: 'first' });
  });

  it('rejects on error() and on a synchronous throw', async () => {
    await expect(runPassportStrategy(strategy((s) => s.error!(new Error('down'))), request, {})).rejects.toThrow('down');
    await expect(runPassportStrategy(strategy(() => { throw new Error('thrown'); }), request, {})).rejects.toThrow('thrown');
  });

  it('refuses a success without a string kuid', async () => {
    await expect(runPassportStrategy(strategy((s) => s.success!({ id: 1 })), request, {})).rejects.toMatchObject({ id: 'plugin.strategy.invalid_kuid' });
  });

  it('gives strategies express-like header accessors', async () => {
    const readsHeader = strategy((s, req) => s.success!(req.get('X-Test') ?? 'none'));
    await expect(runPassportStrategy(readsHeader, request, {})).resolves.toEqual({ kind: 'success', kuid: 'yes' });
  });
});

describe('checkJsonResult', () => {
  it('accepts plain JSON data', () => {
    expect(checkJsonResult({ a: [1, 'x', null, true, { b: undefined }] })).toMatchObject({ ok: true });
  });

  it.each([
    ['a function', { f: () => 1 }],
    ['a class instance', { d: new Date() }],
    ['a non-finite number', { n: Infinity }],
    ['a bigint', { n: 1n }],
    ['a nest deeper than stored documents may be', JSON.parse('['.repeat(101) + ']'.repeat(101)) as unknown],
  ])('refuses %s', (_name, value) => {
    expect(checkJsonResult(value)).toMatchObject({ ok: false });
  });

  it('refuses a cycle but accepts a shared (acyclic) reference', () => {
    const shared = { x: 1 };
    expect(checkJsonResult({ a: shared, b: shared }).ok).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(checkJsonResult(cyclic)).toEqual({ ok: false, reason: 'a circular reference' });
  });
});

describe('CrashBackoff', () => {
  it('costs nothing for one crash, then doubles from 250 ms, capped at 30 s', () => {
    let now = 0;
    const backoff = new CrashBackoff(() => now);
    expect(backoff.record()).toBe(0);
    expect(backoff.looping()).toBe(false);
    expect(backoff.record()).toBe(250);
    expect(backoff.looping()).toBe(true);
    expect(backoff.record()).toBe(500);
    expect(backoff.remaining()).toBe(500);
    for (let i = 0; i < 10; i++) backoff.record();
    expect(backoff.record()).toBe(30_000);
    now += 61_000;
    expect(backoff.recent()).toBe(0);
    expect(backoff.looping()).toBe(false);
    expect(backoff.record()).toBe(0);
  });

  it('reaches the 30 s cap when every replacement crashes as its window ends (the streak outlives a minute)', () => {
    let now = 0;
    const backoff = new CrashBackoff(() => now);
    let window = backoff.record();
    for (let i = 0; i < 12; i++) {
      now += window + 100;
      window = backoff.record();
    }
    expect(window).toBe(30_000);
    now += 30_100;
    expect(backoff.record()).toBe(30_000);
    expect(backoff.looping()).toBe(true);
  });
});

describe('LogThrottle', () => {
  it('lets a burst of 200 through, then 100 a second', () => {
    let now = 0;
    const throttle = new LogThrottle(() => now);
    let allowed = 0;
    for (let i = 0; i < 500; i++) if (throttle.allow()) allowed++;
    expect(allowed).toBe(200);
    now += 1000;
    allowed = 0;
    for (let i = 0; i < 500; i++) if (throttle.allow()) allowed++;
    expect(allowed).toBe(100);
  });
});
