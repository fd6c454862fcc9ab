// What crosses into a plugin's thread: a spy plugin records every message
// it receives (on the runtime's channel, Piscina's port, parentPort) while
// the kernel serves real requests through the hono app: users created with
// credentials for two strategies, logins, a plugin action called with a
// token, logins to the spy with a token and a cookie. No kernel secret,
// pepper, token, or other plugin's credential may be among them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SECRET, databaseContent, startHostileKernel, type HostileKernel } from '../helpers/hostile-kernel.js';

const BOB_SECRET = 'bob keeps this for the victim';
const BOB_VICTIM_LOGIN = 'bob-at-the-victim';

let k: HostileKernel;
let recorded: string;
const tokens: string[] = [];

beforeAll(async () => {
  k = await startHostileKernel({ spy: { fixture: 'hostile-spy' } });
  const call = async (method: string, path: string, init: { body?: unknown; jwt?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-probe': 'a header the spy may see', ...init.headers };
    if (init.jwt !== undefined) headers.authorization = `Bearer ${init.jwt}`;
    const response = await k.kernel.app.request(path, { method, headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    return { status: response.status, body: (await response.json()) as { result: Record<string, string> } };
  };
  const credentials = { victim: { login: BOB_VICTIM_LOGIN, secret: BOB_SECRET }, spy: { login: 'bob-at-the-spy', secret: 'a credential the spy may see' } };
  expect((await call('POST', '/users/kuid-bob/_create', { jwt: k.adminJwt, body: { content: { profileIds: ['admin'] }, credentials } })).status).toBe(200);
  const bob = (await call('POST', '/_login/victim', { body: { login: BOB_VICTIM_LOGIN, secret: BOB_SECRET } })).body.result.jwt!;
  tokens.push(k.adminJwt, bob);
  expect((await call('POST', '/_/spy/touch', { jwt: bob, body: { marker: 'a body the spy may see' } })).status).toBe(200);
  // Logins to the spy carrying the caller's session: the token and the cookie stay in the kernel.
  expect((await call('POST', '/_login/spy', { jwt: bob, body: { login: 'x', secret: 'y' } })).status).toBe(401);
  expect((await call('POST', '/_login/spy', { headers: { cookie: `authToken=${bob}` }, body: { login: 'x', secret: 'y' } })).status).toBe(401);
  // Another plugin's traffic meanwhile: a victim login, a victim credential change.
  expect((await call('POST', '/_login/victim', { body: { login: 'admin', secret: ADMIN_SECRET } })).status).toBe(200);
  recorded = ((await call('GET', '/_/spy/dump', { jwt: bob })).body.result as unknown as { recorded: string[] }).recorded.join('\n');
});
afterAll(() => k.stop());

/** A value as it could appear in a message: as it is, hex, base64, base64url. */
function encodings(value: Buffer): string[] {
  return [value.toString('hex'), value.toString('base64'), value.toString('base64url')];
}

describe('messages a plugin receives', () => {
  it('were recorded: the spy saw its own traffic (tasks, request bodies, headers, host replies)', () => {
    expect(recorded).toContain('a body the spy may see');
    expect(recorded).toContain('a credential the spy may see');
    expect(recorded).toContain('a header the spy may see');
    expect(recorded).toContain('"type":"reply"');
    // A token's id, so a plugin can keep the caller's session; never the token.
    const jti = (JSON.parse(Buffer.from(tokens[1]!.slice('kauth-'.length).split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    expect(recorded).toContain(jti);
  });

  it('hold no kernel secret and no pepper (its own included)', () => {
    const secret = k.kernel.secret.key;
    const peppers = (databaseContent(k.kernelDb).plugin_peppers as Array<{ plugin: string; pepper: Buffer }>).map((row) => row.pepper);
    expect(peppers).toHaveLength(2);
    for (const value of [secret, ...peppers]) {
      for (const encoded of encodings(value)) expect(recorded).not.toContain(encoded);
    }
  });

  it('hold no token, cookie or authorization header', () => {
    for (const token of tokens) {
      expect(recorded).not.toContain(token);
      // Nor the token's signature alone.
      expect(recorded).not.toContain(token.split('.')[2]);
    }
    expect(recorded).not.toMatch(/authorization|authToken|"cookie"/i);
  });

  it("hold nothing of another plugin's credentials: its logins, secrets or hashes", () => {
    const victim = databaseContent(k.victimDb).c_credentials as Array<{ body: string }>;
    const hashes = victim.map((row) => (JSON.parse(row.body) as { hash: string }).hash);
    expect(hashes).toHaveLength(2);
    for (const value of [BOB_SECRET, ADMIN_SECRET, BOB_VICTIM_LOGIN, ...hashes]) expect(recorded).not.toContain(value);
  });
});
