/**
 * What action handlers work with: the kernel's parts, handed in once at
 * boot. Handlers reach nothing else, so a test can read this list to know
 * what an action may touch.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../log.js';
import type { PluginHost } from '../plugins/plugin-host.js';
import type { StrategyRegistry } from '../plugins/strategy-registry.js';
import type { Rights } from '../security/rights.js';
import type { UserStore } from '../security/user-store.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { Action } from './action.js';

export interface ApiSettings {
  /** Lifetime of a token when login or refresh gives no `expiresIn`. */
  tokenTtlMs: number;
  /** Longest lifetime a client may ask for. */
  tokenMaxTtlMs: number;
  /** Profiles of users made by security:createRestrictedUser. */
  restrictedProfileIds: string[];
}

export interface HealthReport {
  status: 'green' | 'yellow' | 'red';
  services: { kernelDb: 'green' | 'red' };
  plugins: Record<string, unknown>;
}

export interface KernelServices {
  users: UserStore;
  tokens: TokenStore;
  strategies: StrategyRegistry;
  plugins: PluginHost;
  rights: Rights;
  audit: AuditLog;
  settings: ApiSettings;
  log: Logger;
  /** The whole route table, for server:publicApi and rights listings. */
  actions(): readonly Action[];
  health(): HealthReport;
}
