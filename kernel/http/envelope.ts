/**
 * Kuzzle's response envelope: every answer, success or error, has the same
 * shape, so clients (kuzzle-sdk among them) parse one format. Every answer
 * but a CORS preflight is written here, CORS headers included.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { WireError } from '@portcullis/sdk-plugin/protocol';
import { ErrorWithHeaders } from '../api/action.js';
import type { Logger } from '../log.js';
import { header } from './request-parser.js';

export interface Envelope {
  requestId: string;
  status: number;
  error: WireError | null;
  controller: string | null;
  action: string | null;
  collection: null;
  index: null;
  volatile: unknown;
  headers: Record<string, string>;
  node: string;
  result: unknown;
}

export interface RequestMeta {
  requestId: string;
  controller: string | null;
  action: string | null;
  volatile: unknown;
}

/** Origins browsers may call from; `*` for any. */
export type CorsOrigins = string[] | '*';

/** A node id for this process, like Kuzzle's `knode-...`. */
export const NODE_ID = `knode-${randomUUID().slice(0, 8)}`;

/** The meta of a request that could not be parsed (404s, early errors): a fresh id, no volatile. */
export function bareMeta(controller: string | null = null, action: string | null = null): RequestMeta {
  return { requestId: randomUUID(), controller, action, volatile: null };
}

/**
 * Writes envelopes as Responses with plain header objects. Not c.json() with
 * CORS set through c.header(): hono then gathers the headers in an undici
 * Headers, that @hono/node-server iterates back into an object; an
 * authenticated GET went from 26.2 to 23.5 µs of CPU (bench/requests). The
 * headers clients get are the same, lower-cased and in the same (sorted)
 * order.
 */
export class EnvelopeWriter {
  readonly #origins: CorsOrigins;
  readonly #log: Logger;

  constructor(origins: CorsOrigins, log: Logger) {
    this.#origins = origins;
    this.#log = log;
  }

  success(c: Context, meta: RequestMeta, result: unknown, status = 200, headers?: Record<string, string>): Response {
    return answer(status, envelopeJson(meta, status, null, result), this.#headers(c, headers));
  }

  /** Any error becomes an envelope; an unknown one is logged and answered as a generic 500. */
  failure(c: Context, meta: RequestMeta, error: unknown): Response {
    const wire = toWire(error, meta, this.#log);
    return answer(wire.status, envelopeJson(meta, wire.status, wire, null), this.#headers(c, error instanceof ErrorWithHeaders ? error.headers : undefined));
  }

  /** A fresh object each time: @hono/node-server adds Content-Length to it. */
  #headers(c: Context, extra?: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = {};
    const origins = this.#origins;
    if (origins === '*') {
      headers['access-control-allow-origin'] = '*';
    } else {
      const origin = header(c, 'origin');
      // Credentials (the authToken cookie of cookie mode) only for an origin named in the list, never with `*`.
      if (origin !== undefined && origins.includes(origin)) {
        headers['access-control-allow-credentials'] = 'true';
        headers['access-control-allow-origin'] = origin;
      }
    }
    headers['content-type'] = 'application/json';
    if (origins !== '*') headers.vary = 'Origin';
    return extra === undefined || Object.keys(extra).length === 0 ? headers : withExtra(headers, extra);
  }
}

/** A handler's own headers win, lower-cased and sorted as undici's Headers (which wrote them before) sorts them. */
function withExtra(headers: Record<string, string>, extra: Record<string, string>): Record<string, string> {
  const merged = { ...headers };
  for (const [name, value] of Object.entries(extra)) merged[name.toLowerCase()] = value;
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The global Response: @hono/node-server's light one under serve(), which it writes without copying. */
function answer(status: number, body: string, headers: Record<string, string>): Response {
  return new Response(body, { status, headers });
}

function toWire(error: unknown, meta: RequestMeta, log: Logger): WireError {
  if (error instanceof PluginError) return error.toWire();
  log.error({ requestId: meta.requestId, err: error }, 'unexpected error while handling a request');
  return new PluginError('core.fatal.unexpected_error', `see the kernel log, request ${meta.requestId}`).toWire();
}

const NODE_JSON = JSON.stringify(NODE_ID);

/**
 * JSON.stringify of the {@link Envelope} (same keys, same order), written by
 * hand: each JSON.stringify call costs about 100 ns before any work, so only
 * the result (and a volatile or an error) go through it. 475 ns instead of
 * 850 for an envelope of `/_now`; an authenticated GET went from 18.9 to
 * about 17.5 µs of CPU (bench/requests, in two steps).
 */
function envelopeJson(meta: RequestMeta, status: number, error: WireError | null, result: unknown): string {
  return (
    `{"requestId":${idJson(meta.requestId)},"status":${status}${member('error', error)},` +
    `"controller":${nameJson(meta.controller)},"action":${nameJson(meta.action)},"collection":null,"index":null` +
    `${member('volatile', meta.volatile)},"headers":{},"node":${NODE_JSON}${member('result', result)}}`
  );
}

/** `,"name":value`; nothing for what JSON.stringify leaves out of an object (undefined, a function). */
function member(name: 'error' | 'volatile' | 'result', value: unknown): string {
  if (value === null) return `,"${name}":null`;
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? '' : `,"${name}":${json}`;
}

/** Characters that JSON never escapes: request ids are made of them (REQUEST_ID in request-parser.ts, or UUIDs). */
const PLAIN = /^[\w.:-]*$/;

function idJson(id: string): string {
  return PLAIN.test(id) ? `"${id}"` : JSON.stringify(id);
}

/** Controller and action names come from the route table: a bounded set, each stringified once. */
const NAMES = new Map<string, string>();
const MAX_NAMES = 10_000;

function nameJson(name: string | null): string {
  if (name === null) return 'null';
  let json = NAMES.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (NAMES.size < MAX_NAMES) NAMES.set(name, json);
  }
  return json;
}
