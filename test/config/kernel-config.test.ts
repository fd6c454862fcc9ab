import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKernelConfig } from '../../kernel/config/kernel-config.js';

let dir: string;
let previousCwd: string;

beforeEach(() => {
  previousCwd = process.cwd();
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'portcullis-kernel-config-')));
  process.chdir(dir);
});

afterEach(() => {
  process.chdir(previousCwd);
  rmSync(dir, { recursive: true, force: true });
});

function failure(env: NodeJS.ProcessEnv, argv: string[] = []): string {
  try {
    loadKernelConfig(env, argv);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected loadKernelConfig to throw');
}

describe('loadKernelConfig', () => {
  it('applies the defaults, paths resolved against the working directory', () => {
    expect(loadKernelConfig({})).toEqual({
      port: 7512,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      pluginsConfig: join(dir, 'plugins.json'),
      pluginsDir: join(dir, 'plugins'),
      kernelSecret: undefined,
      logLevel: 'info',
      tokenTtlMs: 3_600_000,
      tokenMaxTtlMs: 86_400_000,
      apiKeyMaxTtlMs: null,
      maxRequestBytes: 1_048_576,
      corsOrigins: '*',
      restrictedProfileIds: ['default'],
      trustedProxies: [],
      cookieSecure: 'always',
      loginAccountFailures: 10,
      loginAccountWindowMs: 600_000,
      loginIpFailures: 50,
      loginIpWindowMs: 600_000,
      auditRetentionMs: 90 * 86_400_000,
      auditMaxFailures: 1_000_000,
    });
  });

  it('reads every variable', () => {
    const config = loadKernelConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: 'var/data',
      PLUGINS_CONFIG: '/etc/portcullis/plugins.json',
      PLUGINS_DIR: '../plugins',
      KERNEL_SECRET: 'k'.repeat(40),
      LOG_LEVEL: 'debug',
      TOKEN_TTL: '30m',
      TOKEN_MAX_TTL: '7200000',
      API_KEY_MAX_TTL: '30d',
      MAX_REQUEST_BYTES: '65536',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      RESTRICTED_PROFILES: 'default,readers',
      TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8',
      COOKIE_SECURE: 'auto',
      LOGIN_ACCOUNT_FAILURES: '5',
      LOGIN_ACCOUNT_WINDOW: '5m',
      LOGIN_IP_FAILURES: '0',
      LOGIN_IP_WINDOW: '60000',
      AUDIT_RETENTION: '30d',
      AUDIT_MAX_FAILURES: '5000',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: join(dir, 'var/data'),
      pluginsConfig: '/etc/portcullis/plugins.json',
      pluginsDir: join(dir, '..', 'plugins'),
      kernelSecret: 'k'.repeat(40),
      logLevel: 'debug',
      tokenTtlMs: 1_800_000,
      tokenMaxTtlMs: 7_200_000,
      apiKeyMaxTtlMs: 30 * 86_400_000,
      maxRequestBytes: 65_536,
      corsOrigins: ['https://a.example', 'https://b.example'],
      restrictedProfileIds: ['default', 'readers'],
      trustedProxies: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8'],
      cookieSecure: 'auto',
      loginAccountFailures: 5,
      loginAccountWindowMs: 300_000,
      loginIpFailures: 0,
      loginIpWindowMs: 60_000,
      auditRetentionMs: 30 * 86_400_000,
      auditMaxFailures: 5000,
    });
  });

  it.each(['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/-1', 'fe80::1%eth0', '10.0.0.0/'])('refuses TRUSTED_PROXIES=%j', (rule) => {
    expect(failure({ TRUSTED_PROXIES: `127.0.0.1,${rule}` })).toContain('TRUSTED_PROXIES must be a comma-separated list of IP addresses and CIDR ranges');
  });

  it('refuses unreadable cookie and throttling settings', () => {
    expect(failure({ COOKIE_SECURE: 'yes' })).toContain('COOKIE_SECURE must be one of always, auto, never, got "yes"');
    expect(failure({ LOGIN_ACCOUNT_FAILURES: '-1' })).toContain('LOGIN_ACCOUNT_FAILURES must be an integer from 0 (off)');
    expect(failure({ LOGIN_IP_FAILURES: '1.5' })).toContain('LOGIN_IP_FAILURES must be an integer from 0 (off)');
    expect(failure({ LOGIN_IP_WINDOW: '0' })).toContain('LOGIN_IP_WINDOW must be a positive timespan');
  });

  it('refuses a default token lifetime longer than the maximum, and unreadable timespans', () => {
    expect(failure({ TOKEN_TTL: '2d' })).toContain('TOKEN_TTL must not exceed TOKEN_MAX_TTL');
    expect(failure({ TOKEN_MAX_TTL: 'forever' })).toContain('TOKEN_MAX_TTL must be a positive timespan');
    expect(failure({ MAX_REQUEST_BYTES: '12' })).toContain('MAX_REQUEST_BYTES must be a number of bytes');
  });

  it('reads API_KEY_MAX_TTL: -1 is no limit (the default), else a positive timespan', () => {
    expect(loadKernelConfig({ API_KEY_MAX_TTL: '-1' }).apiKeyMaxTtlMs).toBeNull();
    expect(loadKernelConfig({ API_KEY_MAX_TTL: '90000' }).apiKeyMaxTtlMs).toBe(90_000);
    expect(loadKernelConfig({}, ['--api-key-max-ttl', '1h']).apiKeyMaxTtlMs).toBe(3_600_000);
    for (const bad of ['0', '-2', 'never']) expect(failure({ API_KEY_MAX_TTL: bad })).toContain('API_KEY_MAX_TTL must be -1 (no limit) or a positive timespan');
  });

  it('refuses an audit retention that is not a timespan, and a cap on failures under 1000', () => {
    expect(failure({ AUDIT_RETENTION: 'a while' })).toContain('AUDIT_RETENTION must be a positive timespan');
    expect(failure({ AUDIT_MAX_FAILURES: '999' })).toContain('AUDIT_MAX_FAILURES must be a number of events, at least 1000');
    expect(loadKernelConfig({}, ['--audit-retention', '1d', '--audit-max-failures', '1000'])).toMatchObject({ auditRetentionMs: 86_400_000, auditMaxFailures: 1000 });
  });

  it('treats an empty variable as unset', () => {
    const config = loadKernelConfig({ PORT: '', KERNEL_SECRET: '', LOG_LEVEL: '' });
    expect(config.port).toBe(7512);
    expect(config.kernelSecret).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('lets flags override variables', () => {
    const config = loadKernelConfig({ PORT: '8080', LOG_LEVEL: 'debug', DATA_DIR: 'a' }, [
      '--port',
      '9000',
      '--host=::1',
      '--data-dir',
      'b',
      '--plugins-config',
      'conf/p.json',
      '--plugins-dir',
      'p',
      '--log-level',
      'silent',
    ]);
    expect(config).toMatchObject({
      port: 9000,
      host: '::1',
      dataDir: join(dir, 'b'),
      pluginsConfig: join(dir, 'conf/p.json'),
      pluginsDir: join(dir, 'p'),
      logLevel: 'silent',
    });
  });

  it('accepts the port bounds', () => {
    expect(loadKernelConfig({ PORT: '0' }).port).toBe(0);
    expect(loadKernelConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each(['abc', '65536', '-1', '1.5', '0x10', '1e3', ' 80', '999999'])('refuses PORT=%j', (port) => {
    expect(failure({ PORT: port })).toContain(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  });

  it('names the flag when the bad value came from it', () => {
    expect(failure({ PORT: '8080' }, ['--port', 'http'])).toContain(
      '--port must be an integer from 0 to 65535, got "http"',
    );
  });

  it('refuses an unknown log level and lists the valid ones', () => {
    const message = failure({ LOG_LEVEL: 'verbose' });
    expect(message).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"');
  });

  it('lists every problem at once', () => {
    const message = failure({ PORT: 'x', LOG_LEVEL: 'loud' });
    expect(message).toContain('PORT must be');
    expect(message).toContain('LOG_LEVEL must be');
  });

  it('never echoes KERNEL_SECRET', () => {
    const secret = 'do-not-print-this-secret-value-0123456789';
    const message = failure({ PORT: 'x', KERNEL_SECRET: secret });
    expect(message).not.toContain(secret);
    expect(loadKernelConfig({ KERNEL_SECRET: secret }).kernelSecret).toBe(secret);
  });

  it('refuses an unknown flag and names the known ones', () => {
    const message = failure({}, ['--prot', '80']);
    expect(message).toMatch(/^Invalid command line: Unknown option '--prot'/);
    expect(message).toContain('--port <value>');
  });

  it('refuses a flag without its value', () => {
    expect(failure({}, ['--port'])).toMatch(/Invalid command line: .*--port/);
  });

  it('refuses positional arguments', () => {
    expect(failure({}, ['serve'])).toMatch(/Invalid command line: Unexpected argument 'serve'/);
  });

  it('takes no secret from the command line, where ps would show it', () => {
    expect(failure({}, ['--kernel-secret', 'x'.repeat(40)])).toMatch(/Unknown option '--kernel-secret'/);
  });
});
