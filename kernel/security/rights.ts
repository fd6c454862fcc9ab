/**
 * Who may call which action. Roles grant `controller:action` booleans, with
 * `*` wildcards; profiles list roles; users list profiles. A user's rights
 * are the union of its roles; within a role the most specific rule wins
 * (controller and action, then controller and `*`, then `*` and action,
 * then `*:*`), and anything not granted is denied.
 *
 * The standard roles and profiles (`admin`, `default`, `anonymous`) are
 * built in; stored, editable roles and profiles build on the same check.
 */
import { PluginError } from '@portcullis/sdk-plugin/errors';

export interface Role {
  controllers: Record<string, { actions: Record<string, boolean> }>;
}

export const ANONYMOUS_KUID = '-1';

/** What anonymous may do (secure by default: Kuzzle starts with every action open). */
const ANONYMOUS_ACTIONS = {
  auth: ['login', 'checkToken', 'getStrategies', 'getCurrentUser'],
  server: ['publicApi', 'healthCheck', 'now'],
};

/** Builds a role from `controller -> [actions]` lists. */
export function roleOf(grants: Record<string, readonly string[]>): Role {
  const controllers: Role['controllers'] = {};
  for (const [controller, actions] of Object.entries(grants)) {
    controllers[controller] = { actions: Object.fromEntries(actions.map((action) => [action, true])) };
  }
  return { controllers };
}

/**
 * The standard roles. `publicActions` are plugin actions (`<plugin>/<controller>:<action>`)
 * the operator opened to everyone in plugins.json, such as a password reset.
 */
export function standardRoles(publicActions: readonly string[] = []): Record<string, Role> {
  const opened: Record<string, string[]> = {};
  for (const entry of publicActions) {
    const [controller, action] = splitRight(entry);
    (opened[controller] ??= []).push(action);
  }
  const anonymous = roleOf({ ...ANONYMOUS_ACTIONS, ...opened });
  return {
    admin: roleOf({ '*': ['*'] }),
    // Their own session and credentials (the auth controller acts on the caller only).
    default: roleOf({ auth: ['*'], server: [...ANONYMOUS_ACTIONS.server], ...opened }),
    anonymous,
  };
}

function splitRight(entry: string): [string, string] {
  const at = entry.lastIndexOf(':');
  return [entry.slice(0, at), entry.slice(at + 1)];
}

/** Whether one role grants `controller:action`, the most specific rule winning. */
export function roleAllows(role: Role, controller: string, action: string): boolean {
  const exact = ownValue(role.controllers, controller)?.actions;
  const any = ownValue(role.controllers, '*')?.actions;
  return ownValue(exact, action) ?? ownValue(exact, '*') ?? ownValue(any, action) ?? ownValue(any, '*') ?? false;
}

/** Own keys only: `constructor` or `__proto__` are never rules. */
function ownValue<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export class Rights {
  /** profile -> its roles. */
  readonly #profiles: Map<string, Role[]>;

  constructor(roles: Record<string, Role>, profiles: Record<string, string[]> = { admin: ['admin'], default: ['default'], anonymous: ['anonymous'] }) {
    this.#profiles = new Map(Object.entries(profiles).map(([id, roleIds]) => [id, roleIds.flatMap((r) => roles[r] ?? [])]));
  }

  allows(profileIds: readonly string[], controller: string, action: string): boolean {
    return profileIds.some((profile) => (this.#profiles.get(profile) ?? []).some((role) => roleAllows(role, controller, action)));
  }

  /** Throws 401 for anonymous, 403 for an authenticated user, when not allowed. */
  assert(user: { _id: string; profileIds: readonly string[] }, controller: string, action: string): void {
    if (this.allows(user.profileIds, controller, action)) return;
    if (user._id === ANONYMOUS_KUID) throw new PluginError('security.rights.unauthorized', controller, action);
    throw new PluginError('security.rights.forbidden', controller, action, user._id);
  }

  /** Every `controller:action` of `actions` the profiles may call, for getMyRights-style listings. */
  listAllowed(profileIds: readonly string[], actions: ReadonlyArray<{ controller: string; action: string }>) {
    return actions.filter(({ controller, action }) => this.allows(profileIds, controller, action));
  }

  hasProfile(id: string): boolean {
    return this.#profiles.has(id);
  }
}
