import { randomBytes } from 'node:crypto';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostChannel } from '../../sdk-plugin/src/host-channel.js';
import { PluginStorage } from '../../sdk-plugin/src/repository.js';
import { AuditLog } from '../../kernel/audit/audit-log.js';
import { createHostEndpoint } from '../../kernel/host/host-endpoint.js';
import { PasswordService } from '../../kernel/host/password-service.js';
import { createLogger } from '../../kernel/log.js';
import { CredentialLedger } from '../../kernel/security/credential-ledger.js';
import { UserStore } from '../../kernel/security/user-store.js';
import { TokenStore } from '../../kernel/tokens/token-store.js';
import { openKernelDb } from '../../kernel/storage/kernel-db.js';
import { PluginStore } from '../../kernel/storage/plugin-store.js';
import { LogCapture } from '../../sdk-plugin/src/testing/log-capture.js';
import { tempDir } from '../helpers/fixtures.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** The isolate's HostChannel on one port, the kernel's real endpoint on the other. */
function pairedChannel(options: { allowedProfiles?: string[]; timeoutMs?: number; pepper?: Buffer } = {}) {
  const dir = tempDir();
  const store = PluginStore.open(join(dir, 'plugin.sqlite'));
  const db = openKernelDb(join(dir, 'kernel.sqlite'));
  const capture = new LogCapture();
  const log = createLogger('debug', capture);
  const tokens = new TokenStore(db, randomBytes(32));
  const audit = new AuditLog(db, { retentionMs: 86_400_000, maxFailures: 1000, log });
  const ledger = new CredentialLedger(db);
  const endpoint = createHostEndpoint('test-plugin', {
    audit,
    store,
    passwords: new PasswordService(4),
    users: new UserStore(db),
    ledger,
    // The plugin under test serves these strategies: users.create may enroll in them only.
    ownsStrategy: (strategy: string) => ['own'].includes(strategy),
    profileExists: (id: string) => ['admin', 'default', 'anonymous'].includes(id),
    tokens,
    allowedProfiles: options.allowedProfiles ?? [],
    pepper: options.pepper ?? randomBytes(32),
    log,
  });
  const { port1, port2 } = new MessageChannel();
  const serve = async (message: unknown) => {
    const reply = await endpoint.handle(message);
    if (reply !== null) port2.postMessage(reply);
  };
  port2.on('message', (message: unknown) => void serve(message));
  closers.push(() => {
    port1.close();
    store.close();
    db.close();
  });
  return { host: new HostChannel(port1, 'test-plugin', options.timeoutMs ?? 2000), raw: port1, capture, tokens, audit, ledger };
}

/** Sends a raw message and waits for the next reply on the port. */
function rawRequest(port: MessagePort, message: unknown): Promise<{ id: number; ok: boolean; error?: { id: string } }> {
  return new Promise((resolve) => {
    port.once('message', resolve);
    port.postMessage(message);
  });
}

describe('host channel over paired ports', () => {
  it('round-trips storage calls through the Repository client', async () => {
    const { host } = pairedChannel();
    const repo = await new PluginStorage(host).collection('things', { indexes: [{ field: 'kind' }] });
    await repo.create({ kind: 'a', n: 1 }, 'one');
    await repo.create({ kind: 'b', n: 2 }, 'two');
    expect(await repo.get('one')).toEqual({ _id: 'one', _source: { kind: 'a', n: 1 } });
    expect(await repo.update('one', { n: 5 })).toEqual({ _id: 'one', _source: { kind: 'a', n: 5 } });
    expect((await repo.search({ where: { kind: 'b' } })).hits.map((h) => h._id)).toEqual(['two']);
    expect(await repo.count()).toBe(2);
    expect(await repo.delete('two')).toBe(true);
    expect(await repo.mGet(['one', 'two'])).toHaveLength(1);
  });

  it('rejects with the kernel error rebuilt from data: id, status and message kept', async () => {
    const { host } = pairedChannel();
    await expect(host.call('storage.get', { collection: 'never-declared', id: 'x' })).rejects.toMatchObject({
      id: 'services.storage.unknown_collection',
      status: 412,
    });
  });

  it('hashes and verifies passwords with bcrypt', async () => {
    const { host } = pairedChannel();
    const hash = await host.call('password.hash', { password: 'correct horse', cost: 4 });
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(await host.call('password.verify', { password: 'correct horse', hash })).toBe(true);
    expect(await host.call('password.verify', { password: 'wrong', hash })).toBe(false);
    expect(await host.call('password.needsRehash', { hash, cost: 5 })).toBe(true);
    expect(await host.call('password.needsRehash', { hash, cost: 4 })).toBe(false);
    await expect(host.call('password.needsRehash', { hash, cost: 99 })).rejects.toMatchObject({ id: 'api.assert.invalid_argument' });
    await expect(host.call('password.hash', { password: 'x', cost: 2 })).rejects.toMatchObject({ id: 'api.assert.invalid_argument' });
  });

  it('never truncates: passwords sharing their first 72 bytes are different passwords', async () => {
    const { host } = pairedChannel();
    const long = 'é'.repeat(60); // 120 bytes: bcrypt alone would read only the first 72
    const hash = await host.call('password.hash', { password: long, cost: 4 });
    expect(await host.call('password.verify', { password: long, hash })).toBe(true);
    expect(await host.call('password.verify', { password: `${long.slice(0, 36)}something else`, hash })).toBe(false);
    expect(await host.call('password.verify', { password: `${long}x`, hash })).toBe(false);
  });

  it("keys the pre-hash with the plugin's pepper: a hash does not verify under another plugin's", async () => {
    const a = pairedChannel();
    const b = pairedChannel();
    const hash = await a.host.call('password.hash', { password: 'correct horse', cost: 4 });
    expect(await a.host.call('password.verify', { password: 'correct horse', hash })).toBe(true);
    expect(await b.host.call('password.verify', { password: 'correct horse', hash })).toBe(false);
  });

  it('refuses user content that is not plain JSON or is too large', async () => {
    const { host } = pairedChannel({ allowedProfiles: ['default'] });
    await expect(host.call('users.create', { kuid: null, content: { blob: 'x'.repeat(70_000) }, profileIds: ['default'] })).rejects.toMatchObject({
      id: 'api.assert.invalid_argument',
    });
    await expect(host.call('users.create', { kuid: null, content: [] as never, profileIds: ['default'] })).rejects.toMatchObject({
      id: 'api.assert.invalid_argument',
    });
  });

  it('creates users only with the profiles the plugin is allowed to give', async () => {
    const { host } = pairedChannel({ allowedProfiles: ['default'] });
    const user = await host.call('users.create', { kuid: 'kuid-ada', content: { name: 'Ada' }, profileIds: ['default'] });
    expect(user).toEqual({ _id: 'kuid-ada', _source: { name: 'Ada', profileIds: ['default'] } });
    expect(await host.call('users.exists', { kuid: 'kuid-ada' })).toBe(true);
    await expect(host.call('users.create', { kuid: null, content: {}, profileIds: ['admin'] })).rejects.toMatchObject({
      id: 'api.assert.forbidden_argument',
    });
    await expect(host.call('users.create', { kuid: 'kuid-ada', content: {}, profileIds: ['default'] })).rejects.toMatchObject({
      id: 'security.user.already_exists',
    });
  });

  it("enrolls a user it creates in one of the plugin's own strategies only, and only a user that call creates", async () => {
    const { host, ledger } = pairedChannel({ allowedProfiles: ['default'] });
    await host.call('users.create', { kuid: 'kuid-ada', content: {}, profileIds: ['default'], strategy: 'own' });
    expect(ledger.stateOf('own', 'kuid-ada')).toBe('held');
    await host.call('users.create', { kuid: 'kuid-bo', content: {}, profileIds: ['default'] });
    expect(ledger.strategiesOf('kuid-bo')).toEqual([]);
    for (const [strategy, id] of [['local', 'api.assert.forbidden_argument'], ['', 'api.assert.invalid_argument'], [42, 'api.assert.invalid_argument']] as const) {
      await expect(host.call('users.create', { kuid: 'kuid-cy', content: {}, profileIds: ['default'], strategy: strategy as string })).rejects.toMatchObject({ id });
    }
    expect(await host.call('users.exists', { kuid: 'kuid-cy' })).toBe(false);
    // An existing user: the creation fails, and with it the enrollment.
    await expect(host.call('users.create', { kuid: 'kuid-bo', content: {}, profileIds: ['default'], strategy: 'own' })).rejects.toMatchObject({ id: 'security.user.already_exists' });
    expect(ledger.stateOf('own', 'kuid-bo')).toBeNull();
  });

  it('refuses a profile the plugin may give but that does not exist (deleted since plugins.json was written)', async () => {
    const { host } = pairedChannel({ allowedProfiles: ['default', 'customers'] });
    await expect(host.call('users.create', { kuid: 'kuid-bo', content: {}, profileIds: ['customers'] })).rejects.toMatchObject({
      id: 'security.profile.not_found',
    });
    expect(await host.call('users.exists', { kuid: 'kuid-bo' })).toBe(false);
  });

  it('refuses params that cannot cross the port, without leaving the call pending', async () => {
    const { host } = pairedChannel();
    await expect(host.call('storage.get', { collection: 'c', id: (() => 'x') as unknown as string })).rejects.toMatchObject({
      id: 'api.assert.invalid_argument',
    });
  });

  it('revokes a user\'s tokens at once, keeping the one asked for', async () => {
    const { host, tokens } = pairedChannel();
    const [first, second, other] = [tokens.issue('k', 60_000), tokens.issue('k', 60_000), tokens.issue('someone-else', 60_000)];
    await host.call('users.revokeTokens', { kuid: 'k', keepTokenId: second.jti });
    expect(() => tokens.verify(first.jwt)).toThrow(expect.objectContaining({ id: 'security.token.invalid' }));
    expect(tokens.verify(second.jwt).kuid).toBe('k');
    expect(tokens.verify(other.jwt).kuid).toBe('someone-else');
    await host.call('users.revokeTokens', { kuid: 'k' });
    expect(() => tokens.verify(second.jwt)).toThrow(expect.objectContaining({ id: 'security.token.invalid' }));
  });

  it('records in the audit log the sessions a plugin ends and the users it creates, naming the plugin', async () => {
    const { host, audit } = pairedChannel({ allowedProfiles: ['default'] });
    await host.call('users.create', { kuid: 'kuid-ada', content: {}, profileIds: ['default'] });
    await host.call('users.revokeTokens', { kuid: 'kuid-ada', keepTokenId: 'some-jti' });
    await expect(host.call('users.revokeTokens', { kuid: '' })).rejects.toMatchObject({ id: 'api.assert.invalid_argument' });
    const { hits } = audit.search({}, 0, 10);
    expect(hits.map((hit) => hit._source)).toEqual([
      expect.objectContaining({ type: 'tokenRevocation', outcome: 'success', controller: 'test-plugin', action: 'users.revokeTokens', target: 'kuid-ada', kuid: null }),
      expect.objectContaining({ type: 'adminChange', outcome: 'success', controller: 'test-plugin', action: 'users.create', target: 'kuid-ada' }),
    ]);
  });

  it('settles a call the other side never answers at its deadline', async () => {
    const { port1 } = new MessageChannel();
    closers.push(() => port1.close());
    const host = new HostChannel(port1, 'test-plugin', 50);
    await expect(host.call('storage.get', { collection: 'c', id: 'x' })).rejects.toMatchObject({ id: 'plugin.runtime.timeout', status: 504 });
  });

  it('answers malformed calls that carry an id, and drops the rest', async () => {
    const { raw, capture } = pairedChannel();
    expect(await rawRequest(raw, { type: 'call', id: 7, method: 'fs.readFile', params: {} })).toMatchObject({
      id: 7,
      ok: false,
      error: { id: 'plugin.runtime.malformed_message' },
    });
    expect(await rawRequest(raw, { type: 'call', id: 8, method: 'storage.get', params: null })).toMatchObject({ id: 8, ok: false });
    raw.postMessage(42);
    await expect.poll(() => capture.lines().some((l) => l.includes('dropped a malformed host message'))).toBe(true);
  });

  it('passes plugin log lines to the kernel log and throttles a flood', async () => {
    const { host, capture } = pairedChannel();
    for (let i = 0; i < 1000; i++) host.log('info', `line ${i}`);
    await expect.poll(() => capture.lines().some((l) => l.includes('line 199'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = capture.lines().filter((l) => l.includes('"msg":"line '));
    expect(lines.length).toBeGreaterThanOrEqual(200);
    expect(lines.length).toBeLessThan(1000);
  });
});
