/**
 * Reading a plugin's declarations safely: own properties only, and method
 * names resolved on the plugin but never on a builtin prototype. Shared by
 * the strategy and API validators.
 */

/** A plugin function, as a `typeof === 'function'` check leaves it. */
export type PluginFunction = (...args: unknown[]) => unknown;

// Names that resolve to something callable on every class instance but are
// never a strategy method: the class itself, and the prototype accessor.
const REFUSED_METHOD_NAMES = new Set(['constructor', '__proto__']);
// Method lookup stops at these so config cannot name a builtin (`toString`, `call`...).
const BUILTIN_PROTOTYPES = new Set<unknown>([Object.prototype, Function.prototype]);

/** Kuzzle's `safeObject.isPlainObject`: any non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isFunction(value: unknown): value is PluginFunction {
  return typeof value === 'function';
}

/** Own properties only: a description's prototype must not supply values. */
export function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * The plugin function `name` designates, looked up on the instance and its
 * prototype chain but never on Object.prototype or Function.prototype, so a
 * method value such as "toString" cannot point the kernel at a builtin.
 */
export function findPluginFunction(plugin: object, name: string): PluginFunction | undefined {
  if (REFUSED_METHOD_NAMES.has(name)) return undefined;
  let holder: object | null = plugin;
  while (holder !== null && !BUILTIN_PROTOTYPES.has(holder)) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, name);
    if (descriptor !== undefined) {
      // A getter is read as Kuzzle's `plugin.instance[name]` would read it.
      const value: unknown = 'value' in descriptor ? descriptor.value : descriptor.get?.call(plugin);
      return isFunction(value) ? value : undefined;
    }
    holder = Object.getPrototypeOf(holder) as object | null;
  }
  return undefined;
}
