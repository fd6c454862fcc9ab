/**
 * Runs a passport Strategy inside the isolate on a request-like object and
 * turns its decision into data. A Strategy only decides (success, fail,
 * redirect, error, pass); the kernel owns every side effect.
 */
import { PluginError } from '../errors.js';
import type { JsonObject, LoginRequest, VerifyOutcome } from '../protocol.js';

/** The kernel refuses a longer `reason` (a reason, not a message). */
const MAX_FAIL_REASON = 64;

/** What passport strategies expect to find on `this` while authenticating. */
interface StrategyActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  redirect(url: unknown, status?: number): void;
  pass(): void;
  error(error: unknown): void;
  authenticate(req: object, options?: object): void;
}

/** The request as passport strategies read it: express-like accessors included. */
export function toPassportRequest(request: LoginRequest): LoginRequest & { get(name: string): string | undefined } {
  const header = (name: string): string | undefined => request.headers[name.toLowerCase()];
  return { ...request, get: header, header } as LoginRequest & { get(name: string): string | undefined };
}

/**
 * Authenticates once. Settles on the first decision; later calls (a buggy
 * strategy deciding twice) are ignored, and a synchronous throw is an error.
 */
export function runPassportStrategy(
  strategy: object,
  request: LoginRequest,
  authenticateOptions: JsonObject | Record<string, unknown>,
): Promise<VerifyOutcome> {
  return new Promise<VerifyOutcome>((resolve, reject) => {
    let settled = false;
    const decide = (outcome: VerifyOutcome | Error): void => {
      if (settled) return;
      settled = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const run = Object.create(strategy) as StrategyActions;
    run.success = (user) => decide(successOutcome(user));
    run.fail = (challenge, status) => decide(failOutcome(challenge, status));
    run.redirect = (url, status) => decide(redirectOutcome(url, status));
    run.pass = () => decide({ kind: 'pass' });
    run.error = (error) => decide(error instanceof Error ? error : new Error(String(error)));
    try {
      run.authenticate(toPassportRequest(request), authenticateOptions);
    } catch (error) {
      decide(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

function successOutcome(user: unknown): VerifyOutcome | Error {
  if (typeof user === 'string' && user.length > 0) return { kind: 'success', kuid: user };
  return new PluginError('plugin.strategy.invalid_kuid', '[passport]', typeof user);
}

function redirectOutcome(url: unknown, status: unknown): VerifyOutcome | Error {
  if (typeof url !== 'string' || url.length === 0) return new Error('passport strategy redirected without a URL');
  return { kind: 'redirect', url, status: typeof status === 'number' && status >= 300 && status < 400 ? status : 302 };
}

function failOutcome(challenge: unknown, status: unknown): VerifyOutcome {
  const outcome: VerifyOutcome = { kind: 'fail', message: challengeMessage(challenge), status: failStatus(status) };
  // A verify result's `reason` (for the audit log), carried by passport as the challenge's.
  const reason = typeof challenge === 'object' && challenge !== null ? (challenge as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' && reason.length > 0 ? { ...outcome, reason: reason.slice(0, MAX_FAIL_REASON) } : outcome;
}

/** Passport challenges are a string, an object with `message`, or nothing. */
function challengeMessage(challenge: unknown): string {
  if (typeof challenge === 'string' && challenge.length > 0) return challenge;
  if (typeof challenge === 'object' && challenge !== null) {
    const { message } = challenge as { message?: unknown };
    if (typeof message === 'string' && message.length > 0) return message;
  }
  return 'Login failed';
}

function failStatus(status: unknown): number {
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 401;
}
