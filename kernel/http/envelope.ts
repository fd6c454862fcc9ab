/**
 * Kuzzle's response envelope: every answer, success or error, has the same
 * shape, so clients (kuzzle-sdk among them) parse one format.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { WireError } from '@portcullis/sdk-plugin/protocol';
import type { Logger } from '../log.js';

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

/** A node id for this process, like Kuzzle's `knode-...`. */
export const NODE_ID = `knode-${randomUUID().slice(0, 8)}`;

/** The meta of a request that could not be parsed (404s, early errors): a fresh id, no volatile. */
export function bareMeta(controller: string | null = null, action: string | null = null): RequestMeta {
  return { requestId: randomUUID(), controller, action, volatile: null };
}

export function success(c: Context, meta: RequestMeta, result: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return c.json(envelope(meta, status, null, result), status as 200, headers);
}

/** Any error becomes an envelope; an unknown one is logged and answered as a generic 500. */
export function failure(c: Context, meta: RequestMeta, error: unknown, log: Logger): Response {
  const wire = toWire(error, meta, log);
  return c.json(envelope(meta, wire.status, wire, null), wire.status as 500);
}

function toWire(error: unknown, meta: RequestMeta, log: Logger): WireError {
  if (error instanceof PluginError) return error.toWire();
  log.error({ requestId: meta.requestId, err: error }, 'unexpected error while handling a request');
  return new PluginError('core.fatal.unexpected_error', `see the kernel log, request ${meta.requestId}`).toWire();
}

function envelope(meta: RequestMeta, status: number, error: WireError | null, result: unknown): Envelope {
  return {
    requestId: meta.requestId,
    status,
    error,
    controller: meta.controller,
    action: meta.action,
    collection: null,
    index: null,
    volatile: meta.volatile,
    headers: {},
    node: NODE_ID,
    result,
  };
}
