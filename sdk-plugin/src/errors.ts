/**
 * Errors with stable Kuzzle-style ids.
 *
 * Every error a plugin or the kernel raises has an id from the closed
 * catalogue (`error-catalogue.ts`), a stable numeric code and an HTTP status.
 * Errors cross the isolation boundary as {@link WireError} data.
 *
 * @example
 * ```ts
 * import { PluginError, PreconditionError } from '@portcullis/sdk-plugin';
 * throw new PreconditionError(`Login "${username}" is already used.`);
 * throw new PluginError('plugin.strategy.missing_user', 'wrong username or password');
 * ```
 */
import { ERROR_CATALOGUE, type ErrorId } from './error-catalogue.js';
import type { WireError } from './protocol.js';

/**
 * The closed catalogue of error ids, and their type.
 * @example `ERROR_CATALOGUE['plugin.runtime.timeout'].status // 504`
 */
export { ERROR_CATALOGUE, type ErrorId } from './error-catalogue.js';

/**
 * Fills a catalogue template's `%s` placeholders, in order.
 * @example `formatErrorMessage('User "%s" not found.', ['ada']) // 'User "ada" not found.'`
 */
export function formatErrorMessage(template: string, props: readonly string[]): string {
  let next = 0;
  return template.replace(/%s/g, () => props[next++] ?? '');
}

/**
 * An error with a catalogue id. The message is the catalogue template filled
 * with `props`.
 *
 * @example
 * ```ts
 * throw new PluginError('services.storage.document_already_exists');
 * ```
 */
export class PluginError extends Error {
  readonly id: string;
  readonly code: number;
  readonly status: number;
  readonly props: string[];

  constructor(id: ErrorId, ...props: Array<string | number>) {
    // Plain-JavaScript plugins can pass any string: an id outside the closed
    // catalogue becomes unexpected_error rather than an unknown id on the wire.
    const known = isErrorId(id);
    const texts = known ? props.map(String) : [`unknown error id "${String(id).slice(0, 100)}"`];
    const finalId: ErrorId = known ? id : 'plugin.runtime.unexpected_error';
    const spec = ERROR_CATALOGUE[finalId];
    super(formatErrorMessage(spec.message, texts));
    this.name = 'PluginError';
    this.id = finalId;
    this.code = spec.code;
    this.status = spec.status;
    this.props = texts;
  }

  /** Rebuilds an error received as data, keeping its id, code and status. */
  static fromWire(wire: WireError): PluginError {
    const error = new PluginError('plugin.runtime.unexpected_error');
    Object.assign(error, { id: wire.id, code: wire.code, status: wire.status, props: [...wire.props] });
    error.message = wire.message;
    return error;
  }

  /** The data form that crosses the port. */
  toWire(): WireError {
    return { id: this.id, code: this.code, message: this.message, status: this.status, props: this.props };
  }
}

/**
 * True if `id` is in the catalogue.
 * @example `isErrorId('plugin.runtime.timeout') // true`
 */
export function isErrorId(id: unknown): id is ErrorId {
  return typeof id === 'string' && Object.hasOwn(ERROR_CATALOGUE, id);
}

/**
 * Builds the wire form of a catalogue error without throwing.
 *
 * @example
 * ```ts
 * const wire = wireError('plugin.runtime.timeout', 'local', 'verify', '10000');
 * ```
 */
export function wireError(id: ErrorId, ...props: Array<string | number>): WireError {
  return new PluginError(id, ...props).toWire();
}

/**
 * Base of the plain-message errors a strategy throws for its users, like
 * Kuzzle's `context.errors.*`: the message is free text and goes to the
 * client, so it must never carry a secret.
 */
class MessageError extends PluginError {
  constructor(id: ErrorId, message: string) {
    super(id, message);
    this.name = new.target.name;
  }
}

/** 400: the input is malformed or breaks a rule. @example `throw new BadRequestError('password too short')` */
export class BadRequestError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.bad_request', message);
  }
}

/** 401: authentication failed. @example `throw new UnauthorizedError('wrong username or password')` */
export class UnauthorizedError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.unauthorized', message);
  }
}

/** 403: authenticated, not allowed. @example `throw new ForbiddenError('reset not allowed')` */
export class ForbiddenError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.forbidden', message);
  }
}

/** 404: the thing asked for does not exist. @example `throw new NotFoundError('no such credentials')` */
export class NotFoundError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.not_found', message);
  }
}

/** 412: a precondition failed (e.g. a login already used). @example `throw new PreconditionError('Login "a" is already used.')` */
export class PreconditionError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.precondition_failed', message);
  }
}

/** 429: slow down. @example `throw new TooManyRequestsError('retry in 60 s')` */
export class TooManyRequestsError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.too_many_requests', message);
  }
}

/** 500: a fault inside the plugin. @example `throw new InternalError('bad state')` */
export class InternalError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.internal_error', message);
  }
}

/** 503: a dependency of the plugin is down. @example `throw new ServiceUnavailableError('LDAP unreachable')` */
export class ServiceUnavailableError extends MessageError {
  constructor(message: string) {
    super('plugin.custom.service_unavailable', message);
  }
}
