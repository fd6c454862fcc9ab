// The baseline of bench/authreq: the least a hono JSON route on
// @hono/node-server costs, in its own process like the kernel. PORT is
// required; HOST defaults to 127.0.0.1 (loopback only).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ now: Date.now() }));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST ?? '127.0.0.1' });
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
