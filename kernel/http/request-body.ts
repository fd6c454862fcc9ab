/**
 * Request bodies, read whole with a size limit, before anything else runs:
 * a body over `maxBytes` is 413 `network.http.request_too_large`, whether
 * its length is declared or it is streamed.
 *
 * Under @hono/node-server the body is read straight from node's
 * IncomingMessage: hono's `c.req.text()` first builds a whole undici Request
 * and a web stream around node's, about 0.2 ms of CPU a request, a tenth of
 * what the kernel's main thread spends on a login (bench/login).
 */
import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { PluginError } from '@portcullis/sdk-plugin/errors';

/** A reader of whole bodies, as text (UTF-8, a byte order mark dropped as `Request.text()` drops it). */
export function bodyReader(maxBytes: number): (c: Context) => Promise<string> {
  return (c) => {
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    // app.request() (tests) has no node request.
    return incoming === undefined ? fromWebRequest(c.req.raw, maxBytes) : fromIncoming(incoming, maxBytes);
  };
}

function tooLarge(): PluginError {
  return new PluginError('network.http.request_too_large');
}

/** A declared length over the limit is refused unread (a chunked body's length is counted as it comes). */
function declaredTooLarge(length: string | null | undefined, chunked: boolean, maxBytes: number): boolean {
  return length !== null && length !== undefined && !chunked && Number(length) > maxBytes;
}

function fromIncoming(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  const { headers } = incoming;
  if (declaredTooLarge(headers['content-length'], headers['transfer-encoding'] !== undefined, maxBytes)) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', gone).off('close', gone);
      outcome();
    };
    // Past the limit the rest still flows, to no listener: node discards it, and its
    // requestTimeout bounds how long a client may keep sending.
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(() => reject(tooLarge()));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(decode(Buffer.concat(chunks, size))));
    // A client gone mid-body is no fault of the kernel's: a plain error would be logged as unexpected,
    // one error line per aborted upload. Nobody reads this answer.
    const gone = () => settle(() => reject(new PluginError('network.http.body_parse_failed', 'the client closed the connection before its body ended')));
    incoming.on('data', onData).on('end', onEnd).on('error', gone).on('close', gone);
  });
}

async function fromWebRequest(request: Request, maxBytes: number): Promise<string> {
  if (declaredTooLarge(request.headers.get('content-length'), request.headers.has('transfer-encoding'), maxBytes)) throw tooLarge();
  if (request.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return decode(Buffer.concat(chunks, size));
}

function decode(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
