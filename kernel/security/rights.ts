/**
 * Who may call which action. Roles grant `controller:action` booleans, with
 * `*` wildcards; profiles list roles; users list profiles. A user's rights
 * are the union of its roles. Within a role, as Kuzzle: the controller's
 * own entry if it has one, else the `*` controller's; in that entry, the
 * action's own rule, else its `*` rule; anything not granted is denied. So
 * `{security: {actions: {getUser: true}}, '*': {actions: {'*': true}}}`
 * denies security:searchUsers: the security entry decides for security.
 *
 * The standard roles and profiles (`admin`, `default`, `anonymous`) are
 * built in; rights-store.ts keeps the stored, editable ones and builds a new
 * Rights from them on every change.
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

/** The standard profiles: each holds the role of its name, with no rate limit. */
export function standardProfiles(): Record<string, { policies: Array<{ roleId: string }>; rateLimit: number }> {
  const profile = (roleId: string) => ({ policies: [{ roleId }], rateLimit: 0 });
  return { admin: profile('admin'), default: profile('default'), anonymous: profile('anonymous') };
}

function splitRight(entry: string): [string, string] {
  const at = entry.lastIndexOf(':');
  return [entry.slice(0, at), entry.slice(at + 1)];
}

/** Whether one role grants `controller:action` (the order is Kuzzle's, see above). */
export function roleAllows(role: Role, controller: string, action: string): boolean {
  const rules = (ownValue(role.controllers, controller) ?? ownValue(role.controllers, '*'))?.actions;
  return ownValue(rules, action) ?? ownValue(rules, '*') ?? false;
}

/** Own keys only: `constructor` or `__proto__` are never rules. */
function ownValue<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export class Rights {
  /** profile -> its roles (copies: what a Rights decides never changes). */
  readonly #profiles: Map<string, Role[]>;
  /**
   * Decisions taken, per frozen profile list, then controller, then action.
   * The user store's cached users are frozen and shared, so each request
   * finds its user's list here, instead of reading the roles again: an
   * authenticated GET went from 18.3 to 17.8 µs of CPU (bench/requests). A
   * list that is not frozen could change after a decision: it is decided
   * afresh every time.
   */
  readonly #decisions = new WeakMap<readonly string[], Map<string, Map<string, boolean>>>();

  /** profile -> its rateLimit (requests per second, 0 = none). */
  readonly #rateLimits: Map<string, number>;
  /** Rate limits worked out, per frozen profile list (as #decisions). */
  readonly #limits = new WeakMap<readonly string[], number>();

  /** `profiles`: profile id -> the ids of its roles; `rateLimits`: profile id -> its rateLimit. */
  constructor(roles: Record<string, Role>, profiles: Record<string, string[]> = { admin: ['admin'], default: ['default'], anonymous: ['anonymous'] }, rateLimits: Record<string, number> = {}) {
    const ownRole = (id: string) => (Object.hasOwn(roles, id) ? [structuredClone(roles[id]!)] : []);
    this.#profiles = new Map(Object.entries(profiles).map(([id, roleIds]) => [id, roleIds.flatMap(ownRole)]));
    this.#rateLimits = new Map(Object.entries(rateLimits));
  }

  /**
   * `controller` and `action` must name an action of the route table: the
   * decision is remembered, and the table bounds what is remembered. For
   * names a client chose (checkRights), use {@link check}.
   */
  allows(profileIds: readonly string[], controller: string, action: string): boolean {
    if (!Object.isFrozen(profileIds)) return this.#decide(profileIds, controller, action);
    let byController = this.#decisions.get(profileIds);
    if (byController === undefined) this.#decisions.set(profileIds, (byController = new Map()));
    let byAction = byController.get(controller);
    if (byAction === undefined) byController.set(controller, (byAction = new Map()));
    let allowed = byAction.get(action);
    if (allowed === undefined) byAction.set(action, (allowed = this.#decide(profileIds, controller, action)));
    return allowed;
  }

  /** As allows, remembering nothing: for any controller and action names. */
  check(profileIds: readonly string[], controller: string, action: string): boolean {
    return this.#decide(profileIds, controller, action);
  }

  /**
   * Requests per second allowed to a user with these profiles, 0 = no limit.
   * As Kuzzle: the most permissive profile wins, and 0 is the most permissive.
   */
  rateLimit(profileIds: readonly string[]): number {
    const known = this.#limits.get(profileIds);
    if (known !== undefined) return known;
    let limit = -1;
    for (const id of profileIds) {
      const own = this.#rateLimits.get(id);
      if (own === undefined) continue;
      limit = own === 0 || limit === 0 ? 0 : Math.max(limit, own);
    }
    limit = Math.max(limit, 0);
    if (Object.isFrozen(profileIds)) this.#limits.set(profileIds, limit);
    return limit;
  }

  #decide(profileIds: readonly string[], controller: string, action: string): boolean {
    return profileIds.some((profile) => (this.#profiles.get(profile) ?? []).some((role) => roleAllows(role, controller, action)));
  }

  /** Throws 401 for anonymous, 403 for an authenticated user, when not allowed. */
  assert(kuid: string, profileIds: readonly string[], controller: string, action: string): void {
    if (this.allows(profileIds, controller, action)) return;
    if (kuid === ANONYMOUS_KUID) throw new PluginError('security.rights.unauthorized', controller, action);
    throw new PluginError('security.rights.forbidden', controller, action, kuid);
  }

  hasProfile(id: string): boolean {
    return this.#profiles.has(id);
  }
}
