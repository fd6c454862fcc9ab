/**
 * The audit log's own logic, on a real kernel database with a clock the
 * test moves: which actions are recorded as what, bounded fields, search,
 * retention, the cap on failures and the failure budget under a flood.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { AuditLog, type AuditEvent } from '../../kernel/audit/audit-log.js';
import { auditReasonOf, explained } from '../../kernel/audit/audit-reasons.js';
import { auditTypeOf, pluginActionAudit } from '../../kernel/audit/audited-actions.js';
import { FailureBudget } from '../../kernel/audit/failure-budget.js';
import { runAudited } from '../../kernel/audit/request-audit.js';
import { Reply, type AuthenticatedRequest } from '../../kernel/api/action.js';
import { ANONYMOUS_USER } from '../../kernel/api/pipeline.js';
import { createLogger } from '../../kernel/log.js';
import { checkResult } from '../../kernel/plugins/result-shapes.js';
import { openKernelDb, type KernelDb } from '../../kernel/storage/kernel-db.js';
import { LogCapture } from '../../sdk-plugin/src/testing/log-capture.js';
import { tempDir } from '../helpers/fixtures.js';
import { thrown } from '../helpers/thrown.js';

const DAY = 86_400_000;

describe('which actions are audited', () => {
  it.each([
    ['auth', 'login', 'login'],
    ['auth', 'logout', 'logout'],
    ['auth', 'updateMyCredentials', 'credentialChange'],
    ['security', 'deleteCredentials', 'credentialChange'],
    ['security', 'revokeTokens', 'tokenRevocation'],
    ['security', 'createUser', 'adminChange'],
    ['security', 'createFirstAdmin', 'adminChange'],
    ['security', 'mDeleteUsers', 'adminChange'],
    // No named entry: the rule for changing security actions covers them (mDeleteRoles is not served; the rule would cover it too).
    ['security', 'createRole', 'adminChange'],
    ['security', 'createOrReplaceProfile', 'adminChange'],
    ['security', 'updateProfile', 'adminChange'],
    ['security', 'mDeleteRoles', 'adminChange'],
    ['security', 'restrictDefaultRights', 'adminChange'],
    ['security', 'deleteApiKey', 'adminChange'],
  ])('%s:%s as %s', (controller, action, type) => {
    expect(auditTypeOf(controller, action)).toBe(type);
  });

  it.each([
    ['server', 'now'],
    ['auth', 'checkToken'],
    ['auth', 'getCurrentUser'],
    ['auth', 'updateSelf'],
    ['security', 'getUser'],
    ['security', 'searchUsers'],
    ['security', 'validateCredentials'],
    ['security', 'checkRights'],
    ['security', 'searchAuditEvents'],
    // A verb alone, or a name that only starts like one, is not a change.
    ['security', 'created'],
    ['security', 'toString'],
    ['security', '__proto__'],
  ])('not %s:%s', (controller, action) => {
    expect(auditTypeOf(controller, action)).toBeNull();
  });

  it("takes a plugin action's declaration, and records an undeclared or unknown one as a plugin action", () => {
    expect(pluginActionAudit('credentialChange')).toBe('credentialChange');
    expect(pluginActionAudit('adminChange')).toBe('adminChange');
    expect(pluginActionAudit('none')).toBeNull();
    expect(pluginActionAudit(undefined)).toBe('pluginAction');
    expect(pluginActionAudit('login')).toBe('pluginAction');
  });
});

describe('FailureBudget', () => {
  it('lets a burst through, then the rate, and refills no more than the burst', () => {
    const budget = new FailureBudget(3, 2, 0);
    expect([1, 2, 3, 4].map(() => budget.take(0))).toEqual([true, true, true, false]);
    expect(budget.take(499)).toBe(false);
    expect(budget.take(500)).toBe(true);
    expect(budget.take(600_000)).toBe(true);
    expect([1, 2, 3].map(() => budget.take(600_000))).toEqual([true, true, false]);
  });

  it('refills nothing when the clock steps back', () => {
    const budget = new FailureBudget(1, 1, 10_000);
    expect(budget.take(10_000)).toBe(true);
    expect(budget.take(0)).toBe(false);
    expect(budget.take(10_500)).toBe(false);
    expect(budget.take(11_000)).toBe(true);
  });
});

describe('AuditLog', () => {
  let db: KernelDb;
  let now: number;
  const capture = new LogCapture();
  const open = (maxFailures = 1000) => {
    db = openKernelDb(join(tempDir(), 'kernel.sqlite'));
    now = 1_700_000_000_000;
    return new AuditLog(db, { retentionMs: 90 * DAY, maxFailures, log: createLogger('debug', capture), now: () => now });
  };
  afterEach(() => db.close());
  const failure = (ip: string): AuditEvent => ({ type: 'rightsDenial', outcome: 'failure', ip, reason: 'security.rights.unauthorized' });
  const count = () => db.prepare('SELECT COUNT(*) FROM audit_events').pluck().get();

  it('stores each field, absent ones as null, cut to a bounded length', () => {
    const log = open();
    log.record({ type: 'login', outcome: 'failure', identifier: 'x'.repeat(1000), ip: '10.0.0.1', strategy: 'local', controller: 'auth', action: 'login', reason: 'r'.repeat(500) });
    const [hit] = log.search({}, 0, 10).hits;
    expect(hit).toEqual({
      _id: expect.any(String),
      _source: { at: now, type: 'login', outcome: 'failure', kuid: null, identifier: 'x'.repeat(256), ip: '10.0.0.1', strategy: 'local', controller: 'auth', action: 'login', target: null, reason: 'r'.repeat(200) },
    });
  });

  it('searches with every filter together, newest first, paged, with the total of all matches', () => {
    const log = open();
    for (let i = 0; i < 5; i += 1) {
      now += 1000;
      log.record({ type: 'login', outcome: 'success', kuid: `kuid-${i % 2}`, ip: '10.0.0.1', strategy: 'local' });
    }
    log.record({ type: 'logout', outcome: 'success', kuid: 'kuid-0' });
    const page = log.search({ type: 'login', kuid: 'kuid-0', ip: '10.0.0.1', strategy: 'local', outcome: 'success' }, 1, 1);
    expect(page.total).toBe(3);
    expect(page.hits.map((hit) => hit._source.at)).toEqual([now - 2000]);
    expect(log.search({ since: now - 3000, until: now - 1000 }, 0, 10).hits.map((hit) => hit._source.at)).toEqual([now - 1000, now - 2000, now - 3000]);
    expect(log.search({ kuid: 'nobody' }, 0, 10)).toEqual({ hits: [], total: 0 });
    expect(log.search({}, 0, 0)).toEqual({ hits: [], total: 6 });
  });

  it('deletes rows past the retention when swept, and nothing else', () => {
    const log = open();
    log.record({ type: 'adminChange', outcome: 'success', kuid: 'admin', target: 'old' });
    now += 91 * DAY;
    log.record({ type: 'adminChange', outcome: 'success', kuid: 'admin', target: 'new' });
    expect(log.sweep()).toBe(1);
    expect(log.search({}, 0, 10).hits.map((hit) => hit._source.target)).toEqual(['new']);
    expect(log.sweep()).toBe(0);
  });

  it('keeps only the newest maxFailures failures, and every success', () => {
    const log = open(3);
    log.record({ type: 'login', outcome: 'success', kuid: 'ada' });
    for (const ip of ['1', '2', '3', '4', '5']) log.record(failure(ip));
    expect(log.sweep()).toBe(2);
    expect(log.search({ outcome: 'failure' }, 0, 10).hits.map((hit) => hit._source.ip)).toEqual(['5', '4', '3']);
    expect(log.search({ outcome: 'success' }, 0, 10).total).toBe(1);
  });

  it('under a flood writes failures within the budget, counts the rest in one overflow row a minute, and still writes successes', () => {
    const log = open(10_000);
    for (let i = 0; i < 1200; i += 1) log.record(failure('6.6.6.6'));
    // 1000 at once; the first one left out is reported at once, the next 199 within the minute.
    expect(log.search({ type: 'rightsDenial' }, 0, 0).total).toBe(1000);
    expect(log.search({ type: 'auditOverflow' }, 0, 10).hits.map((hit) => hit._source.reason)).toEqual(['1 failure events not recorded (flood)']);
    log.record({ type: 'login', outcome: 'success', kuid: 'ada' });
    expect(log.search({ outcome: 'success' }, 0, 0).total).toBe(1);
    now += 1000;
    for (let i = 0; i < 100; i += 1) log.record(failure('6.6.6.6'));
    expect(log.search({ type: 'rightsDenial' }, 0, 0).total).toBe(1050);
    log.sweep();
    expect(log.search({ type: 'auditOverflow' }, 0, 10).hits.map((hit) => hit._source.reason)).toEqual([
      '249 failure events not recorded (flood)',
      '1 failure events not recorded (flood)',
    ]);
    expect(count()).toBe(1053);
  });

  it('never throws: a write that fails is logged without the event', () => {
    const log = open();
    db.exec('DROP TABLE audit_events');
    expect(() => log.record({ type: 'login', outcome: 'failure', identifier: 'secret-looking-name' })).not.toThrow();
    const line = capture.lines().find((l) => l.includes('an audit event could not be written'));
    expect(line).toBeDefined();
    expect(line).not.toContain('secret-looking-name');
    db.exec('CREATE TABLE audit_events (id INTEGER PRIMARY KEY)');
  });
});

describe('events of a request (runAudited)', () => {
  let db: KernelDb;
  let log: AuditLog;
  afterEach(() => db.close());
  const fresh = () => {
    db = openKernelDb(join(tempDir(), 'kernel.sqlite'));
    log = new AuditLog(db, { retentionMs: DAY, maxFailures: 1000, log: createLogger('silent') });
  };
  const request = (parts: Partial<AuthenticatedRequest>): AuthenticatedRequest => ({
    requestId: 'r', controller: 'auth', action: 'login', args: {}, body: null, jwt: null, ip: '192.0.2.1', https: false, cookies: null, headers: {}, caller: { user: ANONYMOUS_USER, token: null }, ...parts,
  });
  const refused = () => {
    throw new PluginError('plugin.strategy.missing_user', 'no');
  };
  const recorded = () => log.search({}, 0, 100).hits.map((hit) => hit._source);

  it('takes the identifier from username, email or login, the body before the query, never from another field', () => {
    fresh();
    const cases = [
      request({ body: { password: 'hunter2', username: 'ada', email: 'e@example.com' } }),
      request({ body: { username: 42, email: 'e@example.com' } }),
      request({ body: { secret: 'hunter2' }, args: { strategy: 'other', login: 'from-query' } }),
      request({ body: { password: 'hunter2', token: 'hunter2' } }),
    ];
    for (const each of cases) expect(() => runAudited(log, 'login', each, refused)).toThrow('no');
    expect(recorded().map((event) => event.identifier).reverse()).toEqual(['ada', 'e@example.com', 'from-query', null]);
    expect(JSON.stringify(recorded())).not.toContain('hunter2');
  });

  it('records a synchronous answer at once, a promise when it settles, and no redirect', async () => {
    fresh();
    const admin = { user: { _id: 'admin', _source: { profileIds: ['admin'] } }, token: null };
    const change = request({ controller: 'security', action: 'createUser', caller: admin });
    expect(runAudited(log, 'adminChange', change, () => ({ _id: 'kuid-new' }))).toEqual({ _id: 'kuid-new' });
    expect(recorded()).toEqual([expect.objectContaining({ outcome: 'success', kuid: 'admin', target: 'kuid-new' })]);
    await expect(runAudited(log, 'adminChange', change, () => Promise.reject(new PluginError('security.user.already_exists', 'x')))).rejects.toMatchObject({ id: 'security.user.already_exists' });
    await expect(runAudited(log, 'login', request({}), () => Promise.resolve({ _id: 'kuid-ada', jwt: 'kauth-x' }))).resolves.toMatchObject({ _id: 'kuid-ada' });
    expect(runAudited(log, 'login', request({}), () => new Reply({}, 302))).toBeInstanceOf(Reply);
    expect(recorded().map((event) => [event.type, event.outcome, event.kuid, event.reason])).toEqual([
      ['login', 'success', 'kuid-ada', null],
      ['adminChange', 'failure', 'admin', 'security.user.already_exists'],
      ['adminChange', 'success', 'admin', null],
    ]);
  });
});

describe('audit reasons', () => {
  it('are the error id, with a reason attached beside the error (never in its message)', () => {
    const error = explained(new PluginError('plugin.strategy.missing_user', 'wrong username or password'), 'unknown user');
    expect(auditReasonOf(error)).toBe('plugin.strategy.missing_user (unknown user)');
    expect(error.message).toBe('wrong username or password');
    expect(JSON.stringify(error.toWire())).not.toContain('unknown user');
    expect(auditReasonOf(explained(new PluginError('security.rights.forbidden', 'a', 'b', 'c'), 'x'.repeat(100)))).toBe(`security.rights.forbidden (${'x'.repeat(64)})`);
    expect(auditReasonOf(new Error('a bug'))).toBe('core.fatal.unexpected_error');
  });

  it("take a strategy's reason only as a short string (the kernel checks what an isolate sends)", () => {
    const fail = { kind: 'fail', message: 'no', status: 401 };
    expect(checkResult('p', 'verify', { ...fail, reason: 'unknown user' })).toEqual({ ...fail, reason: 'unknown user' });
    expect(thrown(() => checkResult('p', 'verify', { ...fail, reason: 'x'.repeat(65) })).id).toBe('plugin.runtime.invalid_result');
    expect(thrown(() => checkResult('p', 'verify', { ...fail, reason: 42 })).id).toBe('plugin.runtime.invalid_result');
  });
});
