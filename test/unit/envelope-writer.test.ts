/**
 * EnvelopeWriter writes the envelope's JSON by hand: it must be, byte for
 * byte, JSON.stringify of the envelope object (keys in Kuzzle's order,
 * members JSON leaves out left out), for any result, volatile or error.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { EnvelopeWriter, NODE_ID, type RequestMeta } from '../../kernel/http/envelope.js';
import { createLogger } from '../../kernel/log.js';

/** What the writer wrote for `write`, through a real hono context. */
async function written(write: (out: EnvelopeWriter, c: Parameters<EnvelopeWriter['success']>[0]) => Response): Promise<{ text: string; response: Response }> {
  const out = new EnvelopeWriter('*', createLogger('silent'));
  const app = new Hono();
  app.get('/', (c) => write(out, c));
  const response = await app.request('/');
  return { text: await response.text(), response };
}

const envelope = (meta: RequestMeta, status: number, error: unknown, result: unknown) =>
  JSON.stringify({ requestId: meta.requestId, status, error, controller: meta.controller, action: meta.action, collection: null, index: null, volatile: meta.volatile, headers: {}, node: NODE_ID, result });

describe('EnvelopeWriter', () => {
  const results: unknown[] = [
    { now: 1 },
    null,
    undefined,
    () => 1,
    'a "quoted" string\n with \u2028 and é and \ud83d\ude00',
    [1, 'two', null, { three: [3] }],
    { date: new Date(0), nested: { undefinedMember: undefined, list: [undefined] } },
    0,
    true,
  ];
  const metas: RequestMeta[] = [
    { requestId: '3f1c2a9e-8b1d-4c57-9a3e-2f6b8d0c1e4a', controller: 'server', action: 'now', volatile: null },
    { requestId: 'client.id:1-2_3', controller: 'my-plugin/some"thing', action: 'act\\ion', volatile: { sdkName: 'js@7', nested: [1, { a: null }] } },
    { requestId: 'not plain "id"', controller: null, action: null, volatile: 'a string' },
    { requestId: 'x', controller: 'auth', action: 'login', volatile: undefined },
  ];

  it('writes JSON.stringify of the envelope object, for every result and meta', async () => {
    for (const meta of metas) {
      for (const result of results) {
        const { text } = await written((out, c) => out.success(c, meta, result));
        expect(text).toBe(envelope(meta, 200, null, result));
      }
    }
  });

  it('writes errors the same way, with their status', async () => {
    for (const meta of metas) {
      const error = new PluginError('security.rights.forbidden', 'server', 'now', 'someone');
      const { text, response } = await written((out, c) => out.failure(c, meta, error));
      expect(response.status).toBe(403);
      expect(text).toBe(envelope(meta, 403, error.toWire(), null));
    }
  });

  it("lets a handler's headers (a redirect's Location, a content type) win over its own", async () => {
    const meta = metas[0]!;
    const { response } = await written((out, c) => out.success(c, meta, null, 302, { Location: '/next', 'Content-Type': 'application/x' }));
    expect(response.status).toBe(302);
    expect([...response.headers]).toEqual([
      ['access-control-allow-origin', '*'],
      ['content-type', 'application/x'],
      ['location', '/next'],
    ]);
  });
});
