/**
 * Builds the `context` handed to a plugin's `init`: every capability it has
 * is a host call over its own channel, nothing else.
 */
import * as errors from '../errors.js';
import type { HostChannel } from '../host-channel.js';
import type { IsolateBootData, LogLevel } from '../protocol.js';
import type { PluginContext, PluginLogger } from '../plugin-types.js';
import { PluginStorage } from '../repository.js';

export function buildPluginContext(boot: IsolateBootData, host: HostChannel): PluginContext {
  const logAt = (level: LogLevel) => (message: string) => host.log(level, message);
  const log: PluginLogger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };
  return {
    plugin: { name: boot.plugin, version: boot.version },
    callTimeoutMs: boot.callTimeoutMs,
    storage: new PluginStorage(host),
    password: {
      hash: (password, cost) => host.call('password.hash', { password, cost }),
      verify: (password, hash) => host.call('password.verify', { password, hash }),
      needsRehash: (hash, cost) => host.call('password.needsRehash', { hash, cost }),
    },
    users: {
      get: (kuid) => host.call('users.get', { kuid }),
      exists: (kuid) => host.call('users.exists', { kuid }),
      create: (user) =>
        host.call('users.create', { kuid: user.kuid ?? null, content: user.content ?? {}, profileIds: user.profileIds, strategy: user.strategy ?? null }),
      revokeTokens: async (kuid, keepTokenId) => {
        await host.call('users.revokeTokens', { kuid, keepTokenId: keepTokenId ?? null });
      },
    },
    log,
    errors,
  };
}
