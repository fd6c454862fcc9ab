/**
 * The shape of a catalogue entry and the helpers that build one from
 * Kuzzle's numbering (see error-catalogue.ts).
 */

export interface ErrorSpec {
  code: number;
  status: number;
  /** Template; `%s` placeholders are filled in order (see `formatErrorMessage`). */
  message: string;
  description: string;
}

/** Kuzzle's code for an error: `domain << 24 | subdomain << 16 | error`. */
function kcode(domain: number, subdomain: number, error: number): number {
  return (domain << 24) | (subdomain << 16) | error;
}

/** One catalogue row: domain, subdomain and error numbers, status, message template, description. */
export function e(domain: number, subdomain: number, error: number, status: number, message: string, description: string): ErrorSpec {
  return { code: kcode(domain, subdomain, error), status, message, description };
}

/** HTTP status of each Kuzzle error class, as set in `lib/kerror/errors/*.ts`. */
export const KUZZLE_STATUS = {
  // Kuzzle answers a partly failed bulk action with 206 and the failures.
  PartialError: 206,
  BadRequestError: 400,
  MultipleErrorsError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  PreconditionError: 412,
  SizeLimitError: 413,
  TooManyRequestsError: 429,
  InternalError: 500,
  ExternalServiceError: 500,
  PluginImplementationError: 500,
  ServiceUnavailableError: 503,
  GatewayTimeoutError: 504,
} as const;
