/**
 * The route table: every action the kernel serves, each declared once in
 * its controller's file. Plugin actions are added from the booted plugins'
 * descriptions.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';
import type { ApiDescription } from '@portcullis/sdk-plugin/protocol';
import type { Action } from './action.js';
import { apiKeyActions } from './controllers/api-keys.js';
import { authCredentialsActions } from './controllers/auth-credentials.js';
import { authSessionActions } from './controllers/auth-session.js';
import { pluginActions } from './controllers/plugin-actions.js';
import { rightsQueryActions } from './controllers/rights-queries.js';
import { securityAuditActions } from './controllers/security-audit.js';
import { securityCredentialsActions } from './controllers/security-credentials.js';
import { securityRoleActions } from './controllers/security-roles.js';
import { securityUserAdminActions } from './controllers/security-user-admin.js';
import { securityUserActions } from './controllers/security-users.js';
import { serverActions } from './controllers/server.js';

/** @throws PluginError `network.http.duplicate_url` if two routes share a verb and path. */
export function routeTable(pluginApis: Record<string, ApiDescription>): Action[] {
  const actions = [
    ...serverActions(),
    ...authSessionActions(),
    ...authCredentialsActions(),
    ...apiKeyActions(),
    ...securityUserActions(),
    ...securityUserAdminActions(),
    ...securityCredentialsActions(),
    ...securityRoleActions(),
    ...rightsQueryActions(),
    ...securityAuditActions(),
    ...pluginActions(pluginApis),
  ];
  assertUniqueRoutes(actions);
  return actions;
}

/**
 * The router answers a request with the first matching route, so a second
 * action on the same verb and path (parameter names aside: `/a/:x` and
 * `/a/:y` match the same URLs) would never be reached. Kuzzle refuses to
 * boot on that; so does the kernel, naming both actions.
 */
function assertUniqueRoutes(actions: readonly Action[]): void {
  const owners = new Map<string, string>();
  for (const action of actions) {
    const name = `${action.controller}:${action.action}`;
    for (const route of action.http) {
      const key = `${route.verb.toUpperCase()} ${route.path.replace(/:[^/]*/g, ':')}`;
      const owner = owners.get(key);
      if (owner !== undefined) throw new PluginError('network.http.duplicate_url', `${route.verb.toUpperCase()} ${route.path} (${owner} and ${name})`);
      owners.set(key, name);
    }
  }
}
