import passport from 'passport';
import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors.js';
import {
  describeStrategies,
  validateAuthenticators,
  validateStrategies,
  type AuthenticatorConstructor,
} from './strategy-validation.js';

class LocalStrategy extends passport.Strategy {
  constructor(_options: object, _verify: (...args: never[]) => void) {
    super();
  }
  override authenticate(): void {}
}

type Description = Record<string, unknown> & { config: Record<string, unknown>; methods: Record<string, unknown> };

function description(): Description {
  return {
    config: { authenticator: 'Local', fields: ['username', 'password'], strategyOptions: { session: false } },
    methods: {
      exists: 'exists',
      create: 'create',
      update: 'update',
      delete: 'remove',
      validate: 'validate',
      verify: 'verify',
      getInfo: 'getInfo',
    },
  };
}

class BasePlugin {
  verify(): string {
    return 'inherited verify';
  }
}

class TestPlugin extends BasePlugin {
  authenticators: unknown = { Local: LocalStrategy };
  strategies: unknown = { local: description() };
  readonly tag = 'bound';
  exists(): string {
    return this.tag;
  }
  create(): void {}
  update(): void {}
  remove(): void {}
  validate(): void {}
  getInfo(): void {}
  notAFunction = 'just a string';
}

const NAME = 'test-plugin';
const AUTHENTICATORS = new Map<string, AuthenticatorConstructor>([['Local', LocalStrategy]]);

function errorOf(fn: () => unknown): PluginError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PluginError) return error;
    throw error;
  }
  throw new Error('expected a PluginError, nothing was thrown');
}

/** Puts a value of the wrong type where the description expects an object. */
function replace(d: Description, key: 'config' | 'methods', value: unknown): void {
  const loose: Record<string, unknown> = d;
  loose[key] = value;
}

/** Validates one strategy `local` after `edit` changed a fresh valid description. */
function strategyError(edit: (d: Description) => void, name = 'local'): PluginError {
  const plugin = new TestPlugin();
  const d = description();
  edit(d);
  plugin.strategies = { [name]: d };
  return errorOf(() => validateStrategies(NAME, plugin, AUTHENTICATORS));
}

describe('a valid plugin', () => {
  it('validates and describes its strategies', () => {
    const plugin = new TestPlugin();
    const authenticators = validateAuthenticators(NAME, plugin.authenticators);
    expect([...authenticators]).toEqual([['Local', LocalStrategy]]);

    const strategies = validateStrategies(NAME, plugin, authenticators);
    const local = strategies.get('local');
    expect(local?.Authenticator).toBe(LocalStrategy);
    expect(local?.fields).toEqual(['username', 'password']);
    expect(local?.strategyOptions).toEqual({ session: false });
    expect(local?.authenticateOptions).toEqual({});
    // Bound to the instance, and found on the prototype chain (verify is inherited).
    expect(local?.methods.exists?.()).toBe('bound');
    expect(local?.methods.verify?.()).toBe('inherited verify');
    expect(local?.methods.getById).toBeUndefined();

    expect(describeStrategies(strategies)).toEqual({
      local: {
        fields: ['username', 'password'],
        methods: ['create', 'delete', 'exists', 'update', 'validate', 'verify', 'getInfo'],
      },
    });
  });

  it('accepts absent options and fields, and null optional methods', () => {
    const plugin = new TestPlugin();
    const d = description();
    d.config = { authenticator: 'Local' };
    d.methods.getById = null;
    delete d.methods.getInfo;
    plugin.strategies = { local: d, 'other_2-x': description() };
    const strategies = validateStrategies(NAME, plugin, AUTHENTICATORS);
    expect(describeStrategies(strategies).local).toEqual({
      fields: [],
      methods: ['create', 'delete', 'exists', 'update', 'validate', 'verify'],
    });
    expect([...strategies.keys()]).toEqual(['local', 'other_2-x']);
  });

  it('treats absent authenticators as none', () => {
    expect(validateAuthenticators(NAME, undefined).size).toBe(0);
    expect(validateAuthenticators(NAME, null).size).toBe(0);
  });
});

describe('authenticators', () => {
  it.each([['Local'], [[LocalStrategy]], [42]])('refuses %j as not_an_object', (value) => {
    const error = errorOf(() => validateAuthenticators(NAME, value));
    expect(error.id).toBe('plugin.authenticators.not_an_object');
    expect(error.message).toContain(`[${NAME}]`);
  });

  it.each([
    ['an arrow function', () => ({})],
    ['a method', { m() {} }.m],
    ['an object', {}],
    ['a string', 'LocalStrategy'],
  ])('refuses %s as invalid_authenticator', (_label, value) => {
    const error = errorOf(() => validateAuthenticators(NAME, { Local: LocalStrategy, Bad: value }));
    expect(error.id).toBe('plugin.authenticators.invalid_authenticator');
    expect(error.props).toEqual([`[${NAME}]`, 'Bad']);
  });
});

describe('strategies', () => {
  it.each([[undefined], [{}], [[]], ['local']])('refuses %j as invalid_definition', (value) => {
    const plugin = new TestPlugin();
    plugin.strategies = value;
    expect(errorOf(() => validateStrategies(NAME, plugin, AUTHENTICATORS)).id).toBe('plugin.strategy.invalid_definition');
  });

  it.each([['local'], [null], [[]]])('refuses the description %j as invalid_description', (value) => {
    const plugin = new TestPlugin();
    plugin.strategies = { local: value };
    const error = errorOf(() => validateStrategies(NAME, plugin, AUTHENTICATORS));
    expect(error.id).toBe('plugin.strategy.invalid_description');
    expect(error.message.startsWith(`[${NAME}] Strategy local:`)).toBe(true);
  });

  it.each([['Local'], ['1abc'], [''], ['a b'], ['a/b'], ['__proto__'], ['a'.repeat(65)]])(
    'refuses the strategy name %j',
    (name) => {
      const error = strategyError(() => {}, name);
      expect(error.id).toBe('plugin.strategy.invalid_description');
      expect(error.message).toContain('URL segments');
    },
  );

  it('accepts a 64-character name', () => {
    const plugin = new TestPlugin();
    plugin.strategies = { ['a'.repeat(64)]: description() };
    expect(validateStrategies(NAME, plugin, AUTHENTICATORS).size).toBe(1);
  });

  it.each([[undefined], [[]], ['exists']])('refuses methods %j as invalid_methods', (value) => {
    expect(strategyError((d) => replace(d, 'methods', value)).id).toBe('plugin.strategy.invalid_methods');
  });

  it('checks the required methods in Kuzzle order (exists first)', () => {
    const error = strategyError((d) => (d.methods = {}));
    expect(error.id).toBe('plugin.strategy.invalid_method_type');
    expect(error.props.slice(0, 2)).toEqual([`[${NAME}] Strategy local:`, 'exists']);
  });

  it('refuses a missing required method or a non-string method value as invalid_method_type', () => {
    expect(strategyError((d) => delete d.methods.validate).props[1]).toBe('validate');
    const error = strategyError((d) => (d.methods.getInfo = 42));
    expect(error.id).toBe('plugin.strategy.invalid_method_type');
    expect(error.props.slice(1)).toEqual(['getInfo', '42']);
  });

  it.each([
    ['verify', 'nope'],
    ['verify', 'notAFunction'],
    ['getById', 'nope'],
    ['search', 'strategies'],
  ])('refuses %s -> %j as missing_method_function', (method, target) => {
    const error = strategyError((d) => (d.methods[method] = target));
    expect(error.id).toBe('plugin.strategy.missing_method_function');
    expect(error.props[1]).toBe(target);
  });

  it.each([['constructor'], ['toString'], ['__proto__'], ['hasOwnProperty'], ['valueOf'], ['isPrototypeOf']])(
    'refuses the builtin %j as a method',
    (builtin) => {
      expect(strategyError((d) => (d.methods.verify = builtin)).id).toBe('plugin.strategy.missing_method_function');
    },
  );

  it('refuses Function.prototype members when the plugin is a function', () => {
    const d = description();
    d.methods.verify = 'call';
    const noop = (): void => {};
    const methods = { exists: noop, create: noop, update: noop, remove: noop, validate: noop, getInfo: noop };
    const plugin = Object.assign(function pluginFn() {}, methods, { strategies: { local: d } });
    const error = errorOf(() => validateStrategies(NAME, plugin, AUTHENTICATORS));
    expect([error.id, error.props[1]]).toEqual(['plugin.strategy.missing_method_function', 'call']);
  });

  it('checks methods before config, as Kuzzle does', () => {
    const error = strategyError((d) => {
      d.methods.verify = 'nope';
      replace(d, 'config', 'broken');
    });
    expect(error.id).toBe('plugin.strategy.missing_method_function');
  });

  it.each([[undefined], [[]], ['config']])('refuses config %j as invalid_config', (value) => {
    expect(strategyError((d) => replace(d, 'config', value)).id).toBe('plugin.strategy.invalid_config');
  });

  it.each([[undefined], [42], [LocalStrategy]])('refuses authenticator %s as invalid_authenticator', (value) => {
    expect(strategyError((d) => (d.config.authenticator = value)).id).toBe('plugin.strategy.invalid_authenticator');
  });

  it.each([['Nope'], ['toString'], ['__proto__']])('refuses authenticator %j as unknown_authenticator', (value) => {
    const error = strategyError((d) => (d.config.authenticator = value));
    expect(error.id).toBe('plugin.strategy.unknown_authenticator');
    expect(error.props[1]).toBe(value);
  });

  it.each([
    ['strategyOptions', 'x'],
    ['authenticateOptions', []],
    ['strategyOptions', 42],
  ])('refuses %s = %j as invalid_option', (option, value) => {
    const error = strategyError((d) => (d.config[option] = value));
    expect(error.id).toBe('plugin.strategy.invalid_option');
    expect(error.props[1]).toBe(option);
  });

  it.each([['username'], [[1]], [{ 0: 'username' }]])('refuses fields %j as invalid_fields', (value) => {
    expect(strategyError((d) => (d.config.fields = value)).id).toBe('plugin.strategy.invalid_fields');
  });

  it('refuses the deprecated constructor next to an authenticator as unexpected_constructor', () => {
    const error = strategyError((d) => (d.config = { ...d.config, constructor: LocalStrategy }));
    expect(error.id).toBe('plugin.strategy.unexpected_constructor');
  });

  it('refuses a deprecated constructor that is not one as invalid_constructor', () => {
    const error = strategyError((d) => (d.config = { constructor: () => ({}) }));
    expect(error.id).toBe('plugin.strategy.invalid_constructor');
  });

  it('requires an authenticator even when a valid deprecated constructor is given (Kuzzle 2)', () => {
    const error = strategyError((d) => (d.config = { constructor: LocalStrategy }));
    expect(error.id).toBe('plugin.strategy.invalid_authenticator');
  });
});

describe('describeStrategies', () => {
  it('lists optional methods only when implemented', () => {
    const plugin = Object.assign(new TestPlugin(), { search: () => [] });
    const d = description();
    d.methods.search = 'search';
    plugin.strategies = { local: d };
    const described = describeStrategies(validateStrategies(NAME, plugin, AUTHENTICATORS));
    expect(described.local?.methods).toEqual(['create', 'delete', 'exists', 'update', 'validate', 'verify', 'getInfo', 'search']);
  });
});
