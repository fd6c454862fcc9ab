/**
 * Shutdown drains (Kernel.stop, what SIGTERM runs): a request in flight
 * when the kernel is stopped is answered before its plugins stop, and no
 * new connection is taken meanwhile. The request is held at a plugin's
 * gate, opened through the plugin's own storage file, since the API takes
 * no more requests by then.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiKernel, type ApiKernel } from '../helpers/api-kernel.js';

describe('shutdown', () => {
  let k: ApiKernel | undefined;
  afterEach(async () => {
    await k?.stop();
    k = undefined;
  });

  it('answers a request in flight when stop begins, refuses new connections meanwhile, then stops', async () => {
    k = await startApiKernel({ plugins: { impostor: { fixture: 'impostor', allowedProfiles: ['default'] } } });
    const kernel = k;
    const url = await kernel.kernel.listen();
    const admin = await kernel.firstAdmin();
    const ivy = await kernel.createUser(admin, 'ivy');
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const inFlight = fetch(`${url}/credentials/impostor/${ivy}/_create`, { method: 'POST', headers, body: JSON.stringify({ gated: true }) });
    const waiting = async () => ((await kernel.call('GET', '/_/impostor/gate/status', { jwt: admin })).body.result as { waiting: boolean }).waiting;
    await expect.poll(waiting, { timeout: 10_000, interval: 20 }).toBe(true);

    let stopped = false;
    const stopping = kernel.stop().then(() => (stopped = true));
    k = undefined;
    await expect(fetch(`${url}/_now`)).rejects.toThrow();
    expect(stopped).toBe(false);

    const db = new Database(join(kernel.dataDir, 'plugins', 'impostor.sqlite'));
    try {
      db.prepare('INSERT INTO c_gate (id, body) VALUES (?, ?)').run('gate', JSON.stringify({ open: true }));
    } finally {
      db.close();
    }
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { result: unknown }).result).toEqual({ kuid: ivy });
    await stopping;
    expect(stopped).toBe(true);
  });
});
