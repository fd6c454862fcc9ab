// The peer of bench/peer: Better Auth, set up the way its docs show for
// hono on Node, in its own process like the kernel. Email/password with
// bcrypt at the kernel's cost (bcrypt's own pool, as the kernel's host
// hashes), a better-sqlite3 file with the pragmas the kernel's database has
// (WAL, synchronous NORMAL), the schema created at start by Better Auth's
// own migrations. Rate limiting is off (a bench from one address would hit
// it; the kernel's per-account lockout never triggers on successful logins
// either), telemetry off, session cookie cache left at its default (off:
// every session check reads the session and user rows).
//
// Environment: PORT (required), HOST (127.0.0.1), BETTER_AUTH_DB (the
// database file, required), BCRYPT_COST (required), BETTER_AUTH_SECRET
// (required). NODE_ENV is set to production by whoever starts this.
import { serve } from '@hono/node-server';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { Hono } from 'hono';

const required = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(required('PORT'));
const cost = Number(required('BCRYPT_COST'));

const database = new Database(required('BETTER_AUTH_DB'));
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
database.pragma('busy_timeout = 5000');

const options = {
  database,
  secret: required('BETTER_AUTH_SECRET'),
  baseURL: `http://${host}:${port}`,
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => bcrypt.hash(password, cost),
      verify: ({ hash, password }) => bcrypt.compare(password, hash),
    },
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
};

const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

const app = new Hono();
app.on(['GET', 'POST'], '/api/auth/*', (c) => auth.handler(c.req.raw));

const server = serve({ fetch: app.fetch, port, hostname: host });
const stop = () => server.close(() => (database.close(), process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
