/**
 * bench/peer: Portcullis side by side with a peer, Better Auth on
 * better-sqlite3 and hono (bench/better-auth-server.mjs), both as separate
 * processes on loopback, the same load from autocannon in the same run,
 * alternating which side is loaded first run by run.
 *
 * - login: `POST /_login/local` vs Better Auth's `POST /api/auth/sign-in/email`,
 *   both at the same bcrypt cost (12, production's default; 10 in smoke
 *   mode), 32 connections, a fixed count of logins spread over many accounts
 *   (why a count and not a window: bench/login.ts). Every login succeeds. A
 *   Portcullis login writes a token row and an audit row; a Better Auth
 *   sign-in writes a session row.
 * - session check: `GET /_now` with a Bearer token of a `default`-profile
 *   user (token, user, rights) vs Better Auth's `GET /api/auth/get-session`
 *   with a session cookie, cookie cache left off (its default: each check
 *   verifies the cookie's signature and reads the session and user rows).
 *   32 connections, fixed-duration runs.
 *
 * The ratio is Portcullis / Better Auth per paired run (> 1: ahead), with
 * no target: a peer's figure is reported either way. Each server's CPU per
 * request is kept in the detail.
 */
import { createUsers, firstAdmin, loadRun, login, startBetterAuth, startKernel, type Load, type ServerProcess } from './http-harness.js';
import type { BenchOptions, BenchRow, BenchSection } from './report.js';
import { pairedRatios, spread } from './stats.js';

const CONNECTIONS = 32;
const PASSWORD = 'correct horse battery staple';

interface Plan {
  cost: number;
  accounts: number;
  /** About how long a login run lasts (its count is sized from a first run); 0: one login per connection, no first run. */
  loginSeconds: number;
  sessionSeconds: number;
  /** 0: no warm-up. */
  warmupSeconds: number;
}

function planOf(options: BenchOptions): Plan {
  // The kernel refuses a cost below 10 (PasswordService's floor); 12 is production's default.
  return options.smoke
    ? { cost: 10, accounts: 8, loginSeconds: 0, sessionSeconds: 1, warmupSeconds: 0 }
    : { cost: 12, accounts: 64, loginSeconds: 10, sessionSeconds: 6, warmupSeconds: 3 };
}

/** A side of the comparison: what one run of load measures on it. */
interface Side {
  server: ServerProcess;
  url: string;
  load: Load;
}

interface Measured {
  rate: number;
  /** Server CPU (user + system, all threads) per request, in ms. */
  cpuMs: number;
}

async function measured(side: Side, load: Partial<Load> = {}): Promise<Measured> {
  const before = side.server.cpuSeconds();
  const { rate, requests } = await loadRun(side.url, { ...side.load, ...load });
  return { rate, cpuMs: ((side.server.cpuSeconds() - before) * 1000) / requests };
}

/** `runs` runs of each side, alternating which goes first: a noisy neighbour then weighs on both alike. */
async function alternate(sides: { portcullis: Side; betterAuth: Side }, runs: number, load: Partial<Load>) {
  const results = { portcullis: [] as Measured[], betterAuth: [] as Measured[] };
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? (['portcullis', 'betterAuth'] as const) : (['betterAuth', 'portcullis'] as const);
    for (const name of order) results[name].push(await measured(sides[name], load));
  }
  return results;
}

function row(measure: string, unit: string, results: { portcullis: Measured[]; betterAuth: Measured[] }, extra: Record<string, unknown>): BenchRow {
  const rates = { portcullis: results.portcullis.map((m) => m.rate), betterAuth: results.betterAuth.map((m) => m.rate) };
  const cpuMs = { portcullis: results.portcullis.map((m) => m.cpuMs), betterAuth: results.betterAuth.map((m) => m.cpuMs) };
  return {
    measure,
    portcullis: { value: spread(rates.portcullis), unit },
    baseline: { name: 'Better Auth', value: spread(rates.betterAuth), unit },
    ratio: pairedRatios(rates.betterAuth, rates.portcullis),
    detail: {
      ...extra,
      rates,
      serverCpuMsPerRequest: cpuMs,
      serverCpuMsPerRequestMedian: { portcullis: spread(cpuMs.portcullis).median, betterAuth: spread(cpuMs.betterAuth).median },
      // Better Auth's CPU per request over Portcullis's, per paired run (> 1: Portcullis does the same for less): a neighbour on the shared machine moves this much less than a rate.
      cpuRatio: pairedRatios(cpuMs.portcullis, cpuMs.betterAuth),
    },
  };
}

/**
 * Better Auth's JSON API; answers the response, throws on anything but 200.
 * With an Origin, as a browser sends: Node's fetch sends `Sec-Fetch-Mode`,
 * on which Better Auth's CSRF check asks for one. (The load itself, from
 * autocannon, sends neither, and Better Auth skips the check.)
 */
async function betterAuthCall(base: string, path: string, init: { body?: unknown; cookie?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: base };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.cookie !== undefined) headers.cookie = init.cookie;
  const response = await fetch(`${base}${path}`, { method: init.body === undefined ? 'GET' : 'POST', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  if (response.status !== 200) throw new Error(`Better Auth ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** Signs `count` accounts up through Better Auth's own endpoint, `inFlight` at a time; answers their emails. */
async function signUp(base: string, count: number, inFlight = 4): Promise<string[]> {
  const emails = Array.from({ length: count }, (_, i) => `bench-${i}@example.com`);
  let next = 0;
  const lane = async () => {
    while (next < emails.length) {
      const email = emails[next++]!;
      await (await betterAuthCall(base, '/api/auth/sign-up/email', { body: { email, password: PASSWORD, name: email } })).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return emails;
}

/** A session cookie of `email`, checked to be one get-session accepts (an unknown cookie is a 200 with `null`). */
async function sessionCookie(base: string, email: string): Promise<string> {
  const signIn = await betterAuthCall(base, '/api/auth/sign-in/email', { body: { email, password: PASSWORD } });
  await signIn.arrayBuffer();
  const cookie = signIn.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .join('; ');
  const session = (await (await betterAuthCall(base, '/api/auth/get-session', { cookie })).json()) as { user?: { email?: string } } | null;
  if (session?.user?.email !== email) throw new Error('Better Auth did not accept its own session cookie');
  return cookie;
}

/**
 * How many logins make a run of about `seconds`, from a first run of each
 * (a warm-up too); the faster of the two, as a neighbour's burst only ever
 * slows a run down. A multiple of the connections keeps every connection
 * busy to the end.
 */
async function loginsPerRun(sides: { portcullis: Side; betterAuth: Side }, seconds: number): Promise<number> {
  const first = Math.max((await measured(sides.portcullis, { amount: CONNECTIONS })).rate, (await measured(sides.betterAuth, { amount: CONNECTIONS })).rate);
  return Math.max(CONNECTIONS, Math.round((first * seconds) / CONNECTIONS) * CONNECTIONS);
}

/** Login bodies that go round the accounts, one account per request. */
function roundRobin(accounts: string[], body: (account: string) => object): () => string {
  let next = 0;
  return () => JSON.stringify(body(accounts[next++ % accounts.length]!));
}

export async function peerBench(options: BenchOptions): Promise<BenchSection> {
  const plan = planOf(options);
  const servers: ServerProcess[] = [];
  try {
    const kernel = await startKernel({ cost: plan.cost, nodeArgs: options.kernelNodeArgs });
    servers.push(kernel);
    const betterAuth = await startBetterAuth({ cost: plan.cost });
    servers.push(betterAuth);

    // Accounts, each through its own side's real path.
    const adminJwt = await firstAdmin(kernel.url, PASSWORD);
    const usernames = await createUsers(kernel.url, adminJwt, plan.accounts, PASSWORD);
    const emails = await signUp(betterAuth.url, plan.accounts);

    const post = { method: 'POST', headers: { 'content-type': 'application/json' } } as const;
    const logins = {
      portcullis: { server: kernel, url: `${kernel.url}/_login/local`, load: { connections: CONNECTIONS, ...post, body: roundRobin(usernames, (username) => ({ username, password: PASSWORD })) } },
      betterAuth: { server: betterAuth, url: `${betterAuth.url}/api/auth/sign-in/email`, load: { connections: CONNECTIONS, ...post, body: roundRobin(emails, (email) => ({ email, password: PASSWORD })) } },
    };
    const total = plan.loginSeconds === 0 ? CONNECTIONS : await loginsPerRun(logins, plan.loginSeconds);
    const loginResults = await alternate(logins, options.runs, { amount: total });

    // A plain user (profile `default`): rights are checked, not waved through by `*:*`.
    const jwt = await login(kernel.url, usernames[0]!, PASSWORD);
    const cookie = await sessionCookie(betterAuth.url, emails[0]!);
    const sessions = {
      portcullis: { server: kernel, url: `${kernel.url}/_now`, load: { connections: CONNECTIONS, headers: { authorization: `Bearer ${jwt}` } } },
      betterAuth: { server: betterAuth, url: `${betterAuth.url}/api/auth/get-session`, load: { connections: CONNECTIONS, headers: { cookie } } },
    };
    // Warm-up: both JITs settle before anything counts.
    if (plan.warmupSeconds > 0) for (const side of [sessions.portcullis, sessions.betterAuth]) await measured(side, { seconds: plan.warmupSeconds });
    const sessionResults = await alternate(sessions, options.runs, { seconds: plan.sessionSeconds });

    return {
      bench: 'peer',
      title:
        `Portcullis vs Better Auth (better-sqlite3, hono) in separate processes, ${CONNECTIONS} connections, alternating, ` +
        `logins at bcrypt cost ${plan.cost} (${total} a run over ${plan.accounts} accounts), session checks ${plan.sessionSeconds} s runs`,
      rows: [
        row('login vs Better Auth', 'logins/s', loginResults, { cost: plan.cost, loginsPerRun: total, accounts: plan.accounts, portcullis: 'POST /_login/local', betterAuth: 'POST /api/auth/sign-in/email' }),
        row('session check vs Better Auth', 'req/s', sessionResults, {
          seconds: plan.sessionSeconds,
          portcullis: 'GET /_now, Bearer token, default profile',
          betterAuth: 'GET /api/auth/get-session, session cookie, cookie cache off (default)',
        }),
      ],
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}
