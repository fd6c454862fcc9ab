/**
 * What the kernel accepts from an isolate on a channel. Plugin code runs in
 * the same thread as the runtime and can tamper with anything it posts, so
 * every message is parsed here as untrusted input: a closed union, checked
 * field by field, and errors rebuilt from the catalogue (a plugin never
 * chooses an error's code or status, nor an id outside its domains).
 */
import { isErrorId, PluginError } from '@portcullis/sdk-plugin/errors';
import { PROTOCOL_VERSION, type HelloMessage, type PluginDescription, type TaskOutcome, type WireError } from '@portcullis/sdk-plugin/protocol';

export type ParsedMessage =
  | { kind: 'result'; id: number; outcome: TaskOutcome }
  | { kind: 'ready'; outcome: TaskOutcome<PluginDescription> }
  | { kind: 'host'; message: unknown }
  | { kind: 'malformed'; reason: string };

/** Error domains a plugin (or the host services answering it) may raise; anything else is refused. */
const PLUGIN_ERROR_PREFIXES = ['plugin.', 'services.storage.', 'api.assert.', 'security.credentials.', 'security.user.'];
const MAX_MESSAGE = 1000;
const MAX_PROPS = 10;
const MAX_PROP = 500;

export function parseIsolateMessage(message: unknown, plugin: string): ParsedMessage {
  if (typeof message !== 'object' || message === null) return { kind: 'malformed', reason: `a ${typeof message} instead of a message` };
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'result': {
      if (!Number.isSafeInteger(m.id)) return { kind: 'malformed', reason: 'a result without an integer id' };
      const outcome = parseOutcome(m, plugin);
      return outcome === null ? { kind: 'malformed', reason: 'a result without a valid outcome' } : { kind: 'result', id: m.id as number, outcome };
    }
    case 'ready': {
      const outcome = parseOutcome(m, plugin);
      return outcome === null ? { kind: 'malformed', reason: 'a ready message without a valid outcome' } : { kind: 'ready', outcome: outcome as TaskOutcome<PluginDescription> };
    }
    case 'call':
    case 'log':
      // Checked field by field by the host endpoint.
      return { kind: 'host', message };
    default:
      return { kind: 'malformed', reason: `unknown message type ${JSON.stringify(String(m.type)).slice(0, 60)}` };
  }
}

function parseOutcome(m: Record<string, unknown>, plugin: string): TaskOutcome | null {
  if (m.ok === true) return { ok: true, value: m.value };
  if (m.ok === false) return { ok: false, error: trustedError(m.error, plugin) };
  return null;
}

/**
 * Rebuilds an error a plugin sent: the id must be in the catalogue and in a
 * domain plugins may use; code and status always come from the catalogue.
 * The message is kept (bounded) because runtime errors carry detail their
 * template cannot rebuild.
 */
export function trustedError(raw: unknown, plugin: string): WireError {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const id = e.id;
  if (!isErrorId(id) || !PLUGIN_ERROR_PREFIXES.some((prefix) => id.startsWith(prefix))) {
    return new PluginError('plugin.runtime.unexpected_error', `${plugin}: it answered an error id it may not use`).toWire();
  }
  const props = Array.isArray(e.props) ? e.props.slice(0, MAX_PROPS).map((p) => String(p).slice(0, MAX_PROP)) : [];
  const wire = new PluginError(id, ...props).toWire();
  if (typeof e.message === 'string' && e.message.length > 0) wire.message = e.message.slice(0, MAX_MESSAGE);
  return wire;
}

/** Returns [field, got, expected] for the first wrong handshake field, or null. */
export function helloMismatch(hello: Partial<HelloMessage> | null, plugin: string): [string, string, string] | null {
  if (typeof hello !== 'object' || hello === null) return ['message', typeof hello, 'an object'];
  if (hello.type !== 'portcullis.hello') return ['type', String(hello.type), 'portcullis.hello'];
  if (hello.protocolVersion !== PROTOCOL_VERSION) return ['protocolVersion', String(hello.protocolVersion), String(PROTOCOL_VERSION)];
  if (hello.plugin !== plugin) return ['plugin', String(hello.plugin), plugin];
  if (!Number.isSafeInteger(hello.threadId)) return ['threadId', typeof hello.threadId, 'an integer'];
  if (typeof hello.port?.postMessage !== 'function') return ['port', typeof hello.port, 'a MessagePort'];
  return null;
}
