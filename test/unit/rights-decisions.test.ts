/**
 * Rights remembers its decisions for frozen profile lists (the user store's
 * cached users): a remembered decision is the one the roles give, and a list
 * that can still change is never answered from memory.
 */
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../kernel/api/route-table.js';
import { Rights, roleOf, standardRoles, type Role } from '../../kernel/security/rights.js';

describe('Rights decisions', () => {
  const actions = routeTable({});
  const lists = [['admin'], ['default'], ['anonymous'], ['default', 'anonymous'], ['nope'], []];

  it('are the same for a frozen list, asked twice, as for a fresh list each time, on every action', () => {
    const rights = new Rights(standardRoles(['local/reset:send']));
    for (const list of lists) {
      const frozen = Object.freeze([...list]);
      for (const { controller, action } of [...actions, { controller: 'local/reset', action: 'send' }]) {
        const fresh = rights.allows([...list], controller, action);
        expect(rights.allows(frozen, controller, action)).toBe(fresh);
        expect(rights.allows(frozen, controller, action)).toBe(fresh);
      }
    }
  });

  it('decide afresh for a list that is not frozen: it may have changed since', () => {
    const rights = new Rights(standardRoles());
    const list = ['default'];
    expect(rights.allows(list, 'security', 'getUser')).toBe(false);
    list.push('admin');
    expect(rights.allows(list, 'security', 'getUser')).toBe(true);
  });

  it('do not follow a role changed after the Rights was built', () => {
    const roles: Record<string, Role> = { reader: roleOf({ server: ['now'] }) };
    const rights = new Rights(roles, { reader: ['reader'] });
    roles.reader!.controllers.server!.actions.info = true;
    expect(rights.allows(['reader'], 'server', 'info')).toBe(false);
    expect(rights.allows(Object.freeze(['reader']), 'server', 'info')).toBe(false);
  });
});
