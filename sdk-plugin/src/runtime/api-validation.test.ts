import { describe, expect, it } from 'vitest';
import { describeApi, validateApi } from './api-validation.js';

class Plugin {
  constructor(public api: unknown) {}
  reset() {
    return { ok: true };
  }
}

const thrownId = (api: unknown) => {
  try {
    validateApi('demo', new Plugin(api));
  } catch (error) {
    return (error as { id: string }).id;
  }
  return 'nothing thrown';
};

describe('validateApi (Kuzzle plugin API format)', () => {
  it('binds handlers and describes controllers, actions and routes', async () => {
    const api = validateApi('demo', new Plugin({ password: { actions: { reset: { handler: 'reset', http: [{ verb: 'POST', path: '/password/reset' }] } } } }));
    expect(describeApi(api)).toEqual({ password: { reset: { http: [{ verb: 'post', path: 'password/reset' }] } } });
    expect(await api.get('password')!.get('reset')!.handler({} as never)).toEqual({ ok: true });
  });

  it("passes an action's audit declaration on to the kernel, and only when given", () => {
    const api = validateApi('demo', new Plugin({ password: { actions: { reset: { handler: 'reset', audit: 'credentialChange' }, peek: { handler: 'reset' } } } }));
    expect(describeApi(api)).toEqual({ password: { reset: { http: [], audit: 'credentialChange' }, peek: { http: [] } } });
  });

  it('accepts a plugin without an api', () => {
    expect(validateApi('demo', new Plugin(undefined)).size).toBe(0);
  });

  it.each([
    ['an api that is not an object', 'nope', 'plugin.assert.invalid_controller_definition'],
    ['a controller name with capitals or slashes', { 'Pass/word': { actions: {} } }, 'plugin.assert.invalid_controller_definition'],
    ['a controller without actions', { password: {} }, 'plugin.assert.invalid_controller_definition'],
    ['a handler naming nothing', { password: { actions: { reset: { handler: 'missing' } } } }, 'plugin.controller.invalid_action'],
    ['a handler naming a builtin', { password: { actions: { reset: { handler: 'toString' } } } }, 'plugin.controller.invalid_action'],
    ['an unexpected route property', { password: { actions: { reset: { handler: 'reset', http: [{ verb: 'get', path: 'x', url: 'y' }] } } } }, 'plugin.controller.unexpected_route_property'],
    ['an unsupported verb', { password: { actions: { reset: { handler: 'reset', http: [{ verb: 'head', path: 'x' }] } } } }, 'plugin.controller.unsupported_verb'],
    ['a bad path', { password: { actions: { reset: { handler: 'reset', http: [{ verb: 'get', path: 'a b?c' }] } } } }, 'plugin.controller.invalid_route_property'],
    ['an audit declaration the kernel does not know', { password: { actions: { reset: { handler: 'reset', audit: 'login' } } } }, 'plugin.assert.invalid_controller_definition'],
    ['http that is not an array', { password: { actions: { reset: { handler: 'reset', http: 'get /x' } } } }, 'plugin.controller.invalid_route_property'],
  ])('refuses %s', (_case, api, id) => {
    expect(thrownId(api)).toBe(id);
  });
});
