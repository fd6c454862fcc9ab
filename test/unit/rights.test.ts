import { describe, expect, it } from 'vitest';
import type { ApiDescription } from '@portcullis/sdk-plugin/protocol';
import type { Action } from '../../kernel/api/action.js';
import { routeTable } from '../../kernel/api/route-table.js';
import { Rights, roleAllows, roleOf, standardRoles, type Role } from '../../kernel/security/rights.js';
import { documentedAnonymousActions } from '../helpers/api-doc.js';
import { thrown } from '../helpers/thrown.js';

const role = (controllers: Record<string, Record<string, boolean>>): Role => ({
  controllers: Object.fromEntries(Object.entries(controllers).map(([name, actions]) => [name, { actions }])),
});

const names = (actions: readonly Action[]) => actions.map((a) => `${a.controller}:${a.action}`).sort();

describe('roleAllows', () => {
  it("decides as Kuzzle: the controller's own entry, else `*`'s; in it the action's rule, else `*`", () => {
    const r = role({ auth: { '*': true, logout: false }, security: { '*': false }, '*': { '*': true, info: false, getUser: true } });
    expect(roleAllows(r, 'auth', 'logout')).toBe(false); // explicit false beats auth:*
    expect(roleAllows(r, 'auth', 'login')).toBe(true);
    expect(roleAllows(r, 'security', 'getUser')).toBe(false); // security:* beats *:getUser
    expect(roleAllows(r, 'server', 'info')).toBe(false); // *:info beats *:*
    expect(roleAllows(r, 'server', 'now')).toBe(true);
  });

  it("never falls back to the `*` controller when the controller has its own entry (Kuzzle's order)", () => {
    const r = role({ security: { getUser: true }, '*': { '*': true } });
    expect(roleAllows(r, 'security', 'getUser')).toBe(true);
    expect(roleAllows(r, 'security', 'searchUsers')).toBe(false);
    expect(roleAllows(r, 'auth', 'login')).toBe(true);
    expect(roleAllows(role({ auth: { logout: true }, '*': { login: true } }), 'auth', 'login')).toBe(false);
  });

  it('an explicit false beats a wildcard true in the same role, at every level', () => {
    expect(roleAllows(role({ '*': { '*': true }, auth: { login: false } }), 'auth', 'login')).toBe(false);
    expect(roleAllows(role({ '*': { '*': true }, auth: { '*': false } }), 'auth', 'login')).toBe(false);
    expect(roleAllows(role({ '*': { '*': true, login: false } }), 'auth', 'login')).toBe(false);
  });

  it('denies anything not granted', () => {
    expect(roleAllows(role({}), 'auth', 'login')).toBe(false);
    expect(roleAllows(role({ auth: { login: true } }), 'auth', 'logout')).toBe(false);
    expect(roleAllows(role({ auth: { login: true } }), 'server', 'login')).toBe(false);
  });

  it('reads own keys only: inherited names such as constructor, __proto__ or toString never grant', () => {
    const r = roleOf({ auth: ['login'] });
    const inherited = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
    for (const name of inherited) {
      expect(roleAllows(r, 'auth', name)).toBe(false);
      expect(roleAllows(r, name, 'login')).toBe(false);
      expect(roleAllows(r, name, name)).toBe(false);
    }
    const rights = new Rights(standardRoles());
    for (const name of inherited) {
      expect(rights.allows(['anonymous'], name, 'login')).toBe(false);
      expect(rights.allows(['default'], 'server', name)).toBe(false);
      expect(rights.allows([name], 'auth', 'login')).toBe(false);
    }
  });
});

describe('Rights', () => {
  const roles = { strict: role({ auth: { '*': true, logout: false } }), logout: role({ auth: { logout: true } }) };
  const rights = new Rights(roles, { strict: ['strict'], loggable: ['logout'], both: ['strict', 'logout'], broken: ['missing', 'constructor', '__proto__', 'toString'] });

  it("are the union of the user's profiles and their roles: a false in one role does not take away another's true", () => {
    expect(rights.allows(['strict'], 'auth', 'logout')).toBe(false);
    expect(rights.allows(['strict', 'loggable'], 'auth', 'logout')).toBe(true);
    expect(rights.allows(['both'], 'auth', 'logout')).toBe(true);
    expect(rights.allows(['loggable'], 'auth', 'login')).toBe(false);
  });

  it('grant nothing through unknown profiles or roles, inherited names included', () => {
    expect(rights.allows([], 'auth', 'login')).toBe(false);
    expect(rights.allows(['nope', 'constructor', '__proto__'], 'auth', 'login')).toBe(false);
    expect(rights.allows(['broken'], 'auth', 'login')).toBe(false);
    expect(rights.hasProfile('broken')).toBe(true);
    expect(rights.hasProfile('constructor')).toBe(false);
  });

  it('assert: 401 security.rights.unauthorized for anonymous, 403 security.rights.forbidden for a user', () => {
    const standard = new Rights(standardRoles());
    const anonymous = thrown(() => standard.assert('-1', ['anonymous'], 'security', 'createUser'));
    expect({ id: anonymous.id, status: anonymous.status }).toEqual({ id: 'security.rights.unauthorized', status: 401 });
    const user = thrown(() => standard.assert('alice', ['default'], 'security', 'createUser'));
    expect({ id: user.id, status: user.status, props: user.props }).toEqual({ id: 'security.rights.forbidden', status: 403, props: ['security', 'createUser', 'alice'] });
    expect(() => standard.assert('root', ['admin'], 'security', 'createUser')).not.toThrow();
  });
});

describe('the standard roles against the route table', () => {
  const actions = routeTable({});
  const rights = new Rights(standardRoles());
  const allowed = (profile: string) => names(actions.filter((a) => rights.allows([profile], a.controller, a.action)));

  it('anonymous may call exactly the actions docs/API.md lists (createFirstAdmin only while no admin exists)', () => {
    const documented = documentedAnonymousActions();
    expect(documented).toContain('auth:login');
    expect(documented).toContain('security:createFirstAdmin');
    const beforeFirstAdmin = names(actions.filter((a) => a.openBeforeFirstAdmin || rights.allows(['anonymous'], a.controller, a.action)));
    expect(beforeFirstAdmin).toEqual(documented);
    // Through its role alone anonymous has the same list minus createFirstAdmin, which closes for all once an admin exists.
    expect(allowed('anonymous')).toEqual(documented.filter((name) => name !== 'security:createFirstAdmin'));
    expect(names(actions.filter((a) => a.openBeforeFirstAdmin))).toEqual(['security:createFirstAdmin']);
  });

  it('default may call every auth action and the public server ones, nothing of security', () => {
    const auth = names(actions.filter((a) => a.controller === 'auth'));
    expect(auth).toEqual(expect.arrayContaining(['auth:login', 'auth:logout', 'auth:refreshToken', 'auth:updateSelf', 'auth:createMyCredentials']));
    expect(allowed('default')).toEqual([...auth, 'server:healthCheck', 'server:now', 'server:publicApi'].sort());
  });

  it('admin may call every action', () => {
    expect(allowed('admin')).toEqual(names(actions));
  });
});

describe('publicActions from plugins.json', () => {
  // The local plugin's API, as its isolate describes it.
  const localApi: ApiDescription = {
    password: {
      createResetToken: { http: [{ verb: 'post', path: 'password/reset-token/:_id' }] },
      reset: { http: [{ verb: 'post', path: 'password/reset' }] },
    },
  };
  const actions = routeTable({ local: localApi });
  const pluginActions = actions.filter((a) => a.controller.startsWith('local/'));

  it('are open to anonymous and default users; the plugin’s other actions are not', () => {
    const rights = new Rights(standardRoles(['local/password:reset']));
    expect(names(pluginActions)).toEqual(['local/password:createResetToken', 'local/password:reset']);
    for (const profile of ['anonymous', 'default']) {
      expect(rights.allows([profile], 'local/password', 'reset')).toBe(true);
      expect(rights.allows([profile], 'local/password', 'createResetToken')).toBe(false);
      // The opened controller does not shadow the profile's other grants.
      expect(rights.allows([profile], 'auth', 'login')).toBe(true);
    }
    expect(rights.allows(['admin'], 'local/password', 'createResetToken')).toBe(true);
  });

  it('without them, a plugin action is for admins only', () => {
    const rights = new Rights(standardRoles());
    for (const action of pluginActions) {
      expect(rights.allows(['anonymous'], action.controller, action.action)).toBe(false);
      expect(rights.allows(['default'], action.controller, action.action)).toBe(false);
      expect(rights.allows(['admin'], action.controller, action.action)).toBe(true);
    }
  });

  it('open the exact plugin, controller and action named, split at the last colon', () => {
    const rights = new Rights(standardRoles(['local/password:reset', 'other/a:b']));
    expect(rights.allows(['anonymous'], 'other/a', 'b')).toBe(true);
    expect(rights.allows(['anonymous'], 'other/password', 'reset')).toBe(false);
    expect(rights.allows(['anonymous'], 'local/a', 'b')).toBe(false);
    expect(rights.allows(['anonymous'], 'password', 'reset')).toBe(false);
  });
});
