/**
 * From a provider's validated claims to what the plugin keeps: the
 * identity (its subject), the user content a first login creates (the
 * configured mapping), and the email only when the provider vouches for it.
 */
import { UnauthorizedError, type JsonObject, type JsonValue } from '@portcullis/sdk-plugin';
import type { ProviderSettings } from './config.js';

/** The provider's identity of a user, as the plugin stores it. Never a token. */
export interface Identity {
  subject: string;
  issuer: string;
  /** The email the provider gave, or null; `emailVerified` says whether it vouched for it. */
  email: string | null;
  emailVerified: boolean;
  /** User content from the mapping, for a user created on first login. */
  content: JsonObject;
}

/** Longer than OpenID Connect allows (255 ASCII characters): not a subject to store. */
const MAX_SUBJECT = 255;
const MAX_EMAIL = 320;

export function identityOf(claims: JsonObject, provider: ProviderSettings): Identity {
  const raw = claims[provider.identifierClaim];
  const subject = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT) {
    throw new UnauthorizedError(`the identity provider's ID token has no usable "${provider.identifierClaim}" claim`);
  }
  const email = typeof claims.email === 'string' && claims.email.length <= MAX_EMAIL ? claims.email : null;
  return {
    subject,
    issuer: provider.issuer,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    content: mappedContent(claims, provider.content),
  };
}

/** The content fields the mapping names, from the claims present; only scalars and arrays of strings. */
function mappedContent(claims: JsonObject, mapping: Record<string, string>): JsonObject {
  const content: JsonObject = {};
  for (const [field, claim] of Object.entries(mapping)) {
    const value = claims[claim];
    if (!isCopiable(value)) continue;
    setPath(content, field.split('.'), value);
  }
  return content;
}

function isCopiable(value: JsonValue | undefined): value is JsonValue {
  if (typeof value === 'string') return value.length <= 4096;
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  return Array.isArray(value) && value.length <= 100 && value.every((item) => typeof item === 'string' && item.length <= 256);
}

function setPath(target: JsonObject, path: string[], value: JsonValue): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

/** A dotted content field of a user, if it is a string. */
export function contentString(content: JsonObject, field: string): string | null {
  let node: JsonValue | undefined = content;
  for (const segment of field.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return null;
    node = node[segment];
  }
  return typeof node === 'string' ? node : null;
}

/** Emails compare without case (the domain is case-insensitive, and providers vary on the local part). */
export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
