/**
 * The kernel's own settings: environment variables, each overridable by a
 * command-line flag (flags win, so one-off runs need no env juggling).
 *
 * @example
 * ```ts
 * const config = loadKernelConfig(process.env, process.argv.slice(2));
 * ```
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ms, { type StringValue } from 'ms';
import * as z from 'zod';
import { proxyRuleProblem } from '../http/client-address.js';
import { COOKIE_SECURE_MODES, type CookieSecure } from '../http/session-cookie.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface KernelConfig {
  port: number;
  host: string;
  /** Absolute. */
  dataDir: string;
  /** Absolute path of plugins.json. */
  pluginsConfig: string;
  /** Absolute path of the folder holding one folder per plugin. */
  pluginsDir: string;
  /** Raw KERNEL_SECRET; its strength is checked by `loadKernelSecret`. */
  kernelSecret: string | undefined;
  logLevel: LogLevel;
  /** Token lifetime when a login gives no `expiresIn`, ms. */
  tokenTtlMs: number;
  /** Longest token lifetime a client may ask for, ms. */
  tokenMaxTtlMs: number;
  /** Longest API key lifetime auth:createApiKey accepts, ms; `null` (API_KEY_MAX_TTL=-1): no limit, keys may never expire. */
  apiKeyMaxTtlMs: number | null;
  /** Largest request body, bytes. */
  maxRequestBytes: number;
  /** Origins allowed to call from a browser (CORS); `*` for any. */
  corsOrigins: string[] | '*';
  /** Profiles given to users made by security:createRestrictedUser. */
  restrictedProfileIds: string[];
  /** Reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For and X-Forwarded-Proto are believed. */
  trustedProxies: string[];
  /** When the `authToken` cookie gets `Secure`. */
  cookieSecure: CookieSecure;
  /** Failed logins one (strategy, identifier) may have at once; 0 turns the limit off. */
  loginAccountFailures: number;
  /** Time for `loginAccountFailures` failures to be forgiven, ms. */
  loginAccountWindowMs: number;
  /** Failed logins one client address (an IPv6 /64) may have at once; 0 turns the limit off. */
  loginIpFailures: number;
  /** Time for `loginIpFailures` failures to be forgiven, ms. */
  loginIpWindowMs: number;
  /** Audit events older than this are deleted, ms. */
  auditRetentionMs: number;
  /** Failure events (denials, failed logins) the audit log keeps at most, the newest. */
  auditMaxFailures: number;
}

/** One setting: where it comes from, how it is checked, what to say when it is wrong. */
interface Setting<T> {
  env: string;
  /** Long flag name; none for the secret, which must never sit in `ps` output. */
  flag?: string;
  schema: z.ZodType<T>;
  expected: string;
  /** Never echoed in errors. */
  secret?: boolean;
}

const absolutePath = (fallback: string): z.ZodType<string> =>
  z.string().default(fallback).transform((path) => resolve(process.cwd(), path));

/** A timespan: milliseconds or an `ms` string such as "1h". */
const timespan = (fallback: string): z.ZodType<number> =>
  z
    .string()
    .default(fallback)
    .transform((value) => (/^\d+$/.test(value) ? Number(value) : (ms(value as StringValue) as number | undefined)))
    .pipe(z.number().int().positive());

const list = (fallback: string): z.ZodType<string[]> =>
  z.string().default(fallback).transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

/** A count from 0 (off) to `max`. */
const count = (fallback: string, max: number): z.ZodType<number> =>
  z.string().regex(/^\d{1,7}$/).default(fallback).transform(Number).pipe(z.int().min(0).max(max));

const SETTINGS: { [K in keyof KernelConfig]: Setting<KernelConfig[K]> } = {
  port: {
    env: 'PORT',
    flag: 'port',
    // Digits only: Number() would also take "0x1F", "1e3" or " 80 ".
    schema: z.string().regex(/^\d{1,5}$/).default('7512').transform(Number).pipe(z.int().min(0).max(65535)),
    expected: 'an integer from 0 to 65535',
  },
  host: { env: 'HOST', flag: 'host', schema: z.string().default('127.0.0.1'), expected: 'a host name or address' },
  dataDir: { env: 'DATA_DIR', flag: 'data-dir', schema: absolutePath('./data'), expected: 'a path' },
  pluginsConfig: {
    env: 'PLUGINS_CONFIG',
    flag: 'plugins-config',
    schema: absolutePath('./plugins.json'),
    expected: 'a path',
  },
  pluginsDir: { env: 'PLUGINS_DIR', flag: 'plugins-dir', schema: absolutePath('./plugins'), expected: 'a path' },
  kernelSecret: { env: 'KERNEL_SECRET', schema: z.string().optional(), expected: 'a string', secret: true },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    schema: z.enum(LOG_LEVELS).default('info'),
    expected: `one of ${LOG_LEVELS.join(', ')}`,
  },
  tokenTtlMs: { env: 'TOKEN_TTL', flag: 'token-ttl', schema: timespan('1h'), expected: 'a positive timespan such as "1h" or milliseconds' },
  // A day: long enough for a working session, short enough that a stolen token dies.
  tokenMaxTtlMs: { env: 'TOKEN_MAX_TTL', flag: 'token-max-ttl', schema: timespan('1d'), expected: 'a positive timespan such as "1d" or milliseconds' },
  // Kuzzle's default: no limit. An operator who wants keys to expire sets one.
  apiKeyMaxTtlMs: {
    env: 'API_KEY_MAX_TTL',
    flag: 'api-key-max-ttl',
    schema: z.union([z.literal('-1').transform(() => null), timespan('1h')]).default(null),
    expected: '-1 (no limit) or a positive timespan such as "30d" or milliseconds',
  },
  maxRequestBytes: {
    env: 'MAX_REQUEST_BYTES',
    flag: 'max-request-bytes',
    schema: z.string().regex(/^\d{1,10}$/).default('1048576').transform(Number).pipe(z.int().min(1024)),
    expected: 'a number of bytes, at least 1024',
  },
  corsOrigins: {
    env: 'CORS_ORIGINS',
    flag: 'cors-origins',
    schema: list('*').transform((origins) => (origins.includes('*') ? ('*' as const) : origins)),
    expected: 'a comma-separated list of origins, or *',
  },
  restrictedProfileIds: {
    env: 'RESTRICTED_PROFILES',
    flag: 'restricted-profiles',
    schema: list('default').pipe(z.array(z.string()).min(1)),
    expected: 'a comma-separated list of profile ids',
  },
  // None by default: X-Forwarded-For from an untrusted peer is whatever the client wrote.
  trustedProxies: {
    env: 'TRUSTED_PROXIES',
    flag: 'trusted-proxies',
    schema: list('').refine((rules) => rules.every((rule) => proxyRuleProblem(rule) === null)),
    expected: 'a comma-separated list of IP addresses and CIDR ranges (10.0.0.0/8, fd00::/8)',
  },
  // Secure unless told otherwise; browsers accept a Secure cookie over plain HTTP from localhost only.
  cookieSecure: { env: 'COOKIE_SECURE', flag: 'cookie-secure', schema: z.enum(COOKIE_SECURE_MODES).default('always'), expected: `one of ${COOKIE_SECURE_MODES.join(', ')}` },
  // Login throttling (api/login-throttle.ts). Per account: 10 failures at once, then one a minute. ASVS 2.2.1 allows
  // at most 100 failures an hour per account; this allows at most 10 + 60 = 70, and a user locked out by someone
  // else's guesses waits one minute after they stop (a sliding 15-minute window would make it 15).
  loginAccountFailures: { env: 'LOGIN_ACCOUNT_FAILURES', flag: 'login-account-failures', schema: count('10', 1_000_000), expected: 'an integer from 0 (off) to 1000000' },
  loginAccountWindowMs: { env: 'LOGIN_ACCOUNT_WINDOW', flag: 'login-account-window', schema: timespan('10m'), expected: 'a positive timespan such as "10m" or milliseconds' },
  // Per address: 50 failures at once, then one each 12 s: guessing across many accounts from one address gets at
  // most 350 tries an hour, while an office or campus behind one NAT address has room for its users' typos.
  loginIpFailures: { env: 'LOGIN_IP_FAILURES', flag: 'login-ip-failures', schema: count('50', 1_000_000), expected: 'an integer from 0 (off) to 1000000' },
  loginIpWindowMs: { env: 'LOGIN_IP_WINDOW', flag: 'login-ip-window', schema: timespan('10m'), expected: 'a positive timespan such as "10m" or milliseconds' },
  // 90 days: long enough to look into an incident found weeks later.
  auditRetentionMs: { env: 'AUDIT_RETENTION', flag: 'audit-retention', schema: timespan('90d'), expected: 'a positive timespan such as "90d" or milliseconds' },
  // About 250 bytes a row with its indexes (measured): 1,000,000 failures take about 250 MB.
  auditMaxFailures: {
    env: 'AUDIT_MAX_FAILURES',
    flag: 'audit-max-failures',
    schema: z.string().regex(/^\d{1,10}$/).default('1000000').transform(Number).pipe(z.int().min(1000)),
    expected: 'a number of events, at least 1000',
  },
};

const FLAGS = Object.values(SETTINGS).flatMap((setting: Setting<unknown>) => (setting.flag ? [setting.flag] : []));

/**
 * Reads the kernel settings from `env`, overridden by `argv` flags (each
 * setting but the secret has one: `--port`, `--data-dir`, `--token-ttl`, ...).
 * An empty variable counts as unset. Paths come back absolute.
 *
 * @param argv the arguments after the script, e.g. `process.argv.slice(2)`.
 * @throws Error naming every bad variable or flag and what it expects.
 */
export function loadKernelConfig(env: NodeJS.ProcessEnv, argv: string[] = []): KernelConfig {
  const flags = parseFlags(argv);
  const problems: string[] = [];
  const read = <T>(setting: Setting<T>): T => {
    const fromFlag = setting.flag === undefined ? undefined : flags[setting.flag];
    const raw = fromFlag ?? (env[setting.env] === '' ? undefined : env[setting.env]);
    const result = setting.schema.safeParse(raw);
    if (result.success) return result.data;
    const name = fromFlag === undefined ? setting.env : `--${setting.flag}`;
    // Secrets are never repeated back: error messages end up in logs.
    const got = setting.secret ? 'a value that is not shown' : JSON.stringify(raw);
    problems.push(`${name} must be ${setting.expected}, got ${got}`);
    return undefined as T;
  };
  const config: KernelConfig = {
    port: read(SETTINGS.port),
    host: read(SETTINGS.host),
    dataDir: read(SETTINGS.dataDir),
    pluginsConfig: read(SETTINGS.pluginsConfig),
    pluginsDir: read(SETTINGS.pluginsDir),
    kernelSecret: read(SETTINGS.kernelSecret),
    logLevel: read(SETTINGS.logLevel),
    tokenTtlMs: read(SETTINGS.tokenTtlMs),
    tokenMaxTtlMs: read(SETTINGS.tokenMaxTtlMs),
    apiKeyMaxTtlMs: read(SETTINGS.apiKeyMaxTtlMs),
    maxRequestBytes: read(SETTINGS.maxRequestBytes),
    corsOrigins: read(SETTINGS.corsOrigins),
    restrictedProfileIds: read(SETTINGS.restrictedProfileIds),
    trustedProxies: read(SETTINGS.trustedProxies),
    cookieSecure: read(SETTINGS.cookieSecure),
    loginAccountFailures: read(SETTINGS.loginAccountFailures),
    loginAccountWindowMs: read(SETTINGS.loginAccountWindowMs),
    loginIpFailures: read(SETTINGS.loginIpFailures),
    loginIpWindowMs: read(SETTINGS.loginIpWindowMs),
    auditRetentionMs: read(SETTINGS.auditRetentionMs),
    auditMaxFailures: read(SETTINGS.auditMaxFailures),
  };
  if (problems.length === 0 && config.tokenTtlMs > config.tokenMaxTtlMs) {
    problems.push('TOKEN_TTL must not exceed TOKEN_MAX_TTL');
  }
  if (problems.length > 0) throw new Error(`Invalid kernel configuration: ${problems.join('; ')}`);
  return config;
}

function parseFlags(argv: string[]): Record<string, string | undefined> {
  const options = Object.fromEntries(FLAGS.map((flag) => [flag, { type: 'string' as const }]));
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const known = FLAGS.map((flag) => `--${flag} <value>`).join(', ');
    throw new Error(`Invalid command line: ${reason} (known flags: ${known})`, { cause: error });
  }
}
