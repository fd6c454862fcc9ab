// A plugin attacking the process it shares with the kernel, inside a real
// kernel: each attempt must fail inside the plugin and the kernel keep
// serving. What Node 20 cannot prevent (outbound network, memory outside
// the V8 heap) is asserted as the known behaviour SECURITY.md documents.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notRefused, startHostileKernel, type HostileKernel } from '../helpers/hostile-kernel.js';

/** The kernel's secret is in its environment, as when an operator sets KERNEL_SECRET. */
const KERNEL_SECRET = randomBytes(32).toString('hex');
/** The kernel's node_modules, where better-sqlite3 and bcrypt have their compiled addons. */
const NODE_MODULES = dirname(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')));

let k: HostileKernel;
beforeAll(async () => {
  process.env.KERNEL_SECRET = KERNEL_SECRET;
  k = await startHostileKernel(
    { 'hostile-process': { fixture: 'hostile-process', heapMb: 32, threads: { min: 1, max: 1 } } },
    { config: { kernelSecret: KERNEL_SECRET } },
  );
});
afterAll(async () => {
  delete process.env.KERNEL_SECRET;
  await k.stop();
});

const attack = (name: string, args = {}) => k.attack('hostile-process', name, args);

describe('signalling or ending the process', () => {
  it('finds kill, _kill, _debugProcess and abort removed before plugin code loaded, for good', async () => {
    await expect(attack('signals')).resolves.toEqual({
      kill: 'TypeError: process.kill is not a function',
      _kill: 'TypeError: process._kill is not a function',
      _debugProcess: 'TypeError: process._debugProcess is not a function',
      abortType: 'ALLOWED: undefined',
      esmKill: 'TypeError: (intermediate value).kill is not a function',
      prototypeKill: 'TypeError: Object.getPrototypeOf(...).kill is not a function',
      redefineKill: 'TypeError: Cannot redefine property: kill',
      deleteKill: 'Error: not deletable',
    });
    await k.expectServing();
  });

  it.each(['exit', 'reallyExit'])('process.%s ends only its own thread: the call fails, the kernel serves, the plugin comes back', async (how) => {
    await expect(attack(how)).rejects.toMatchObject({ id: 'plugin.runtime.unexpected_error', status: 500 });
    await k.expectServing();
    // After the crash backoff a replacement thread answers.
    await expect.poll(() => attack('ping').catch((error: { id: string }) => error.id), { timeout: 10_000 }).toBe('pong');
  });
});

describe('escaping the permission model', () => {
  it('cannot start child processes or workers, in any form', async () => {
    const report = await attack('children');
    expect(Object.keys(report as object)).toHaveLength(10);
    expect(notRefused(report)).toEqual([]);
    await k.expectServing();
  });

  it("cannot load native code (the kernel's own better-sqlite3 and bcrypt) nor reach internal bindings or WASI", async () => {
    await expect(attack('native', { nodeModules: NODE_MODULES })).resolves.toEqual({
      // Two layers: process.dlopen is removed before plugin code loads; behind it the permission model refuses addons.
      betterSqlite3: 'TypeError: process.dlopen is not a function',
      bcrypt: 'ERR_ACCESS_DENIED',
      addonFile: 'TypeError: process.dlopen is not a function',
      dlopen: 'TypeError: process.dlopen is not a function',
      binding: 'TypeError: process.binding is not a function',
      _linkedBinding: 'TypeError: process._linkedBinding is not a function',
      wasi: 'ERR_ACCESS_DENIED',
    });
  });

  it('cannot open the inspector: not on its own thread, not on the main thread, not on a port', async () => {
    await expect(attack('inspector')).resolves.toEqual({
      session: 'ERR_ACCESS_DENIED',
      mainThreadSession: 'ERR_ACCESS_DENIED',
      open: 'ERR_ACCESS_DENIED',
      url: 'Error: no inspector url',
    });
  });
});

describe('secrets of the process', () => {
  it('sees an empty environment, no process.report, and boot data without a secret', async () => {
    const seen = await attack('environment');
    const dir = `${k.pluginsDir}/hostile-process`;
    expect(seen).toEqual({
      envKeys: [],
      // process.report.getReport() would list the process's real environment, KERNEL_SECRET included.
      report: 'undefined',
      getReport: 'no process.report',
      workerData: { plugin: 'hostile-process', version: '1.0.0', pluginDir: dir, entry: `${dir}/index.js`, config: {}, callTimeoutMs: 10_000 },
    });
    expect(JSON.stringify(seen)).not.toContain(KERNEL_SECRET);
  });
});

describe('what Node 20 cannot prevent (documented in SECURITY.md)', () => {
  let server: Server;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((socket) => socket.on('data', (chunk) => received.push(chunk.toString())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('outbound network: the permission model has no network permission, a plugin can connect anywhere', async () => {
    const { port } = server.address() as { port: number };
    await expect(attack('network', { port, marker: 'sent from a plugin' })).resolves.toBe('ALLOWED: connected');
    await expect.poll(() => received.join('')).toBe('sent from a plugin');
  });

  it('memory outside the V8 heap: heapMb does not bound it (256 MB held with a 32 MB heap)', async () => {
    await expect(attack('off-heap', { buffers: 8, mb: 32 })).resolves.toEqual({ heldMb: 256 });
    await attack('release');
    await k.expectServing();
  });
});
