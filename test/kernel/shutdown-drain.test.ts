/**
 * Shutdown drains (Kernel.stop, what SIGTERM runs): a request in flight
 * when the kernel is stopped is answered before its plugins stop, as are
 * requests pipelined behind it, and no new connection is taken meanwhile. The request is held at a plugin's
 * gate, opened through the plugin's own storage file, since the API takes
 * no more requests by then.
 */
import { connect } from 'node:net';
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

  /** A listening kernel with the impostor plugin, an admin and user ivy; `held()` resolves once a request waits at the plugin's gate. */
  const serving = async () => {
    const kernel = (k = await startApiKernel({ plugins: { impostor: { fixture: 'impostor', allowedProfiles: ['default'] } } }));
    const url = await kernel.kernel.listen();
    const admin = await kernel.firstAdmin();
    const ivy = await kernel.createUser(admin, 'ivy');
    const waiting = async () => ((await kernel.call('GET', '/_/impostor/gate/status', { jwt: admin })).body.result as { waiting: boolean }).waiting;
    const held = () => expect.poll(waiting, { timeout: 10_000, interval: 20 }).toBe(true);
    return { kernel, url, admin, ivy, held };
  };
  /** Opens the gate through the plugin's own storage file: once stopping, the kernel takes no more requests. */
  const openGate = (kernel: ApiKernel) => {
    const db = new Database(join(kernel.dataDir, 'plugins', 'impostor.sqlite'));
    try {
      db.prepare('INSERT INTO c_gate (id, body) VALUES (?, ?)').run('gate', JSON.stringify({ open: true }));
    } finally {
      db.close();
    }
  };

  it('answers a request in flight when stop begins, refuses new connections meanwhile, then stops', async () => {
    const { kernel, url, admin, ivy, held } = await serving();
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const inFlight = fetch(`${url}/credentials/impostor/${ivy}/_create`, { method: 'POST', headers, body: JSON.stringify({ gated: true }) });
    await held();

    let stopped = false;
    const stopping = kernel.stop().then(() => (stopped = true));
    k = undefined;
    await expect(fetch(`${url}/_now`)).rejects.toThrow();
    expect(stopped).toBe(false);

    openGate(kernel);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { result: unknown }).result).toEqual({ kuid: ivy });
    await stopping;
    expect(stopped).toBe(true);
  });

  it('answers every request pipelined on a socket before the drain, then closes the socket', async () => {
    const { kernel, url, admin, ivy, held } = await serving();
    const { port } = new URL(url);
    // Two requests pipelined on one socket: the first held at the gate, the second read only once it is answered.
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const body = JSON.stringify({ gated: true });
    socket.write(
      `POST /credentials/impostor/${ivy}/_create HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${admin}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
        'GET /_now HTTP/1.1\r\nhost: x\r\n\r\n',
    );
    await held();

    const stopping = kernel.stop();
    k = undefined;
    openGate(kernel);
    await closed;
    await stopping;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((answer) => answer.slice(0, 15))).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(answers[0]).toContain(`"result":{"kuid":"${ivy}"}`);
    expect(answers[1]).toContain('"action":"now"');
  });
});
