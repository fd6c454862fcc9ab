/** Taking our JWTs apart and forging look-alikes, for tests of the tokens and API keys the kernel refuses. */
import { setTimeout as sleep } from 'node:timers/promises';
import { AUTH_TOKEN_PREFIX } from '../../kernel/tokens/token-store.js';

/** `value` as a JWT part (JSON, base64url), to forge a header or payload. */
export const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JSON JWT part (header or payload) decoded. */
export const decodePart = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

/** The header, payload and signature of a token (kauth-) or, with its prefix, an API key (kapikey-). */
export function partsOf(token: string, prefix = AUTH_TOKEN_PREFIX): [string, string, string] {
  return token.slice(prefix.length).split('.') as [string, string, string];
}

/** A genuine token's claims, unchecked: to re-sign or re-encode them. */
export function claimsOf(token: string, prefix = AUTH_TOKEN_PREFIX): Record<string, unknown> {
  return decodePart(partsOf(token, prefix)[1]);
}

/** Waits until the clock is past `epochMs` (20 ms more: timers may fire a little early). */
export async function waitPast(epochMs: number): Promise<void> {
  await sleep(Math.max(0, epochMs - Date.now()) + 20);
}
