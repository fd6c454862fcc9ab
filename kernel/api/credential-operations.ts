/**
 * The credentials operations both controllers run: the auth controller on
 * the caller's own kuid, the security controller on any user's. Each is a
 * call of the strategy's plugin through the registry (an unknown strategy
 * is 400 `security.credentials.unknown_strategy` there); a plugin's own
 * errors (a password policy refusal, a login already used) reach the
 * client unchanged. The kernel never sees credentials beyond passing them.
 */
import type { JsonObject } from '@portcullis/sdk-plugin/protocol';
import type { AuthenticatedRequest } from './action.js';
import { stringArg } from './input.js';
import { pluginRequest } from './plugin-request.js';
import type { KernelServices } from './services.js';

/** A strategy name as a route argument. */
export const strategyArg = stringArg(64);

/** Validates (as a creation), then creates, recorded in the credential ledger; answers the plugin's create result. */
export function createCredentials(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string, credentials: JsonObject): Promise<JsonObject> {
  return validateThenWrite(services, request, 'create', { strategy, kuid, credentials });
}

/**
 * Validates (as an update), then updates; answers the plugin's update
 * result. Ending sessions after a password change is the plugin's part: it
 * knows what changed, and the request tells it which token to keep.
 */
export function updateCredentials(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string, credentials: JsonObject): Promise<JsonObject> {
  return validateThenWrite(services, request, 'update', { strategy, kuid, credentials });
}

/** Checks credentials as a creation would, storing nothing; answers true or the plugin's refusal. */
export async function validateCredentials(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string, credentials: JsonObject): Promise<true> {
  await services.strategies.call(strategy, 'validate', { request: pluginRequest(request), credentials, kuid, strategy, isUpdate: false });
  return true;
}

/**
 * Deletes, recorded in the credential ledger (a login in `strategy` is
 * refused from then on). `byOwner`: the user's own request, whose refusal
 * by the plugin leaves its credentials usable; an admin's stays asked for.
 */
export async function deleteCredentials(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string, byOwner = false): Promise<{ acknowledged: true }> {
  const context = pluginRequest(request);
  await services.ledger.recordDelete(strategy, kuid, () => services.strategies.call(strategy, 'delete', { request: context, kuid, strategy }), byOwner);
  return { acknowledged: true };
}

export function credentialsExist(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string): Promise<boolean> {
  return services.strategies.call(strategy, 'exists', { request: pluginRequest(request), kuid, strategy });
}

/** The plugin's `getInfo`: what it deems safe to show; `{}` from a strategy without one (Kuzzle's answer, given by the isolate). */
export function credentialsInfo(services: KernelServices, request: AuthenticatedRequest, strategy: string, kuid: string): Promise<JsonObject> {
  return services.strategies.call(strategy, 'getInfo', { request: pluginRequest(request), kuid, strategy });
}

/** Kuzzle's order: the plugin's validate (isUpdate for an update) must pass before anything is written. */
async function validateThenWrite(
  services: KernelServices,
  request: AuthenticatedRequest,
  method: 'create' | 'update',
  { strategy, kuid, credentials }: { strategy: string; kuid: string; credentials: JsonObject },
): Promise<JsonObject> {
  const context = pluginRequest(request);
  services.creations.assertFinished(kuid);
  await services.strategies.call(strategy, 'validate', { request: context, credentials, kuid, strategy, isUpdate: method === 'update' });
  const write = () => services.strategies.call(strategy, method, { request: context, credentials, kuid, strategy });
  // A creation is recorded in the credential ledger (logins in `strategy` are accepted from then on); an update changes no holder.
  return method === 'create' ? services.ledger.recordCreate(strategy, kuid, write) : write();
}

