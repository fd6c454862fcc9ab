/**
 * Who a login attempt names, as the login throttle and the audit log both
 * read it: the first string among `username`, `email`, `login`, each looked
 * up in the body then the query string (as passport strategies look up
 * their fields: a login by GET carries them in the query string). Never any
 * other field: the password is next to these.
 */
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';

const IDENTIFIER_FIELDS = ['username', 'email', 'login'] as const;

/** The identifier as the client gave it; null if none (or empty). */
export function givenLoginIdentifier(body: JsonObject | null, query: JsonObject = {}): string | null {
  for (const field of IDENTIFIER_FIELDS) {
    const value = fieldOf(body, field) ?? fieldOf(query, field);
    if (typeof value === 'string') return value === '' ? null : value;
  }
  return null;
}

function fieldOf(fields: JsonObject | null, name: string): unknown {
  return fields !== null && Object.hasOwn(fields, name) ? fields[name] : undefined;
}
