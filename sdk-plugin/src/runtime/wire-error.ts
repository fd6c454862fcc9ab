/**
 * Turns anything a plugin throws into a WireError. Catalogue errors keep
 * their id; anything else becomes plugin.runtime.unexpected_error with a
 * reference, and its detail goes to the kernel log only (a stack or message
 * may hold data a client must not see).
 */
import { randomUUID } from 'node:crypto';
import { isErrorId, wireError } from '../errors.js';
import type { HostChannel } from '../host-channel.js';
import type { WireError } from '../protocol.js';

export function toWireError(error: unknown, plugin: string, host: HostChannel): WireError {
  if (isCatalogueError(error)) {
    return { id: error.id, code: error.code, message: error.message, status: error.status, props: error.props.map(String) };
  }
  const ref = randomUUID();
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  host.log('error', `unexpected error (ref ${ref}): ${detail.slice(0, 4000)}`);
  return wireError('plugin.runtime.unexpected_error', `${plugin}: see the kernel log, reference ${ref}`);
}

interface CatalogueErrorShape {
  id: string;
  code: number;
  message: string;
  status: number;
  props: unknown[];
}

/** Duck-typed so an error from another copy of sdk-plugin still counts. */
function isCatalogueError(error: unknown): error is CatalogueErrorShape {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Partial<CatalogueErrorShape>;
  return (
    isErrorId(e.id) &&
    typeof e.code === 'number' &&
    typeof e.status === 'number' &&
    typeof e.message === 'string' &&
    Array.isArray(e.props)
  );
}
