// What worker threads cannot contain, asserted as the known behaviour
// SECURITY.md documents: plugin code can reach a native handle's constructor
// (`zlib.createGzip()._handle.constructor`, and many others: TCP, Pipe,
// crypto, HTTP parser ...) and call it without its argument, which Node 20
// answers with a failed assertion that aborts the whole process, the
// kernel with it. The runtime removes the constructors that would open a
// descriptor (FileHandle, TCP, Pipe, UDP: hostile-fs.test.ts), not every
// one. Only a plugin running in its own process would be contained.
// The kernel runs as a child process here, since it dies.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';
import { startKernelProcess } from '../helpers/kernel-process.js';
import { preparePlugins } from '../helpers/test-kernel.js';

describe('a plugin calling a native constructor without its argument', () => {
  it('aborts the whole kernel process (SIGABRT): not contained by a worker thread', async () => {
    const plugins = preparePlugins({ 'hostile-results': { fixture: 'hostile-results', publicActions: ['attack:run'] } });
    const kernel = startKernelProcess({ DATA_DIR: join(tempDir(), 'data'), PLUGINS_CONFIG: plugins.pluginsConfig, PLUGINS_DIR: plugins.pluginsDir });
    const url = await kernel.listening;
    const attack = (body: unknown) =>
      fetch(`${url}/_/hostile-results/attack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await attack({ attack: 'ping' })).status).toBe(200);
    await expect(attack({ attack: 'abort' })).rejects.toThrow();
    expect(await kernel.exited).toBeNull();
    expect(kernel.child.signalCode).toBe('SIGABRT');
    expect(kernel.output()).toContain('Assertion failed');
  });
});
