/**
 * The route table: every action the kernel serves, each declared once in
 * its controller's file. Plugin actions are added from the booted plugins'
 * descriptions.
 */
import type { ApiDescription } from '@portcullis/sdk-plugin/protocol';
import type { Action } from './action.js';
import { authCredentialsActions } from './controllers/auth-credentials.js';
import { authSessionActions } from './controllers/auth-session.js';
import { pluginActions } from './controllers/plugin-actions.js';
import { securityCredentialsActions } from './controllers/security-credentials.js';
import { securityUserActions } from './controllers/security-users.js';
import { serverActions } from './controllers/server.js';

export function routeTable(pluginApis: Record<string, ApiDescription>): Action[] {
  return [
    ...serverActions(),
    ...authSessionActions(),
    ...authCredentialsActions(),
    ...securityUserActions(),
    ...securityCredentialsActions(),
    ...pluginActions(pluginApis),
  ];
}
