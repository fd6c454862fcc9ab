/**
 * What action handlers work with: the kernel's parts, handed in once at
 * boot. Handlers reach nothing else, so a test can read this list to know
 * what an action may touch.
 */
import type { CookieSecure } from '../http/session-cookie.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../log.js';
import type { PluginHost } from '../plugins/plugin-host.js';
import type { StrategyRegistry } from '../plugins/strategy-registry.js';
import type { CreationJournal } from '../security/creation-journal.js';
import type { CredentialLedger } from '../security/credential-ledger.js';
import type { LedgerHealth } from '../security/ledger-settlement.js';
import type { Rights } from '../security/rights.js';
import type { RightsStore } from '../security/rights-store.js';
import type { RequestRate } from '../security/request-rate.js';
import type { UserStore } from '../security/user-store.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { Action } from './action.js';
import type { LoginThrottle } from './login-throttle.js';

export interface ApiSettings {
  /** Lifetime of a token when login or refresh gives no `expiresIn`. */
  tokenTtlMs: number;
  /** Longest lifetime a client may ask for. */
  tokenMaxTtlMs: number;
  /** Longest API key lifetime auth:createApiKey accepts; `null`: no limit (keys may never expire). */
  apiKeyMaxTtlMs: number | null;
  /** Profiles of users made by security:createRestrictedUser. */
  restrictedProfileIds: string[];
  /** When the `authToken` cookie of cookie mode gets `Secure`. */
  cookieSecure: CookieSecure;
}

export interface HealthReport {
  status: 'green' | 'yellow' | 'red';
  services: { kernelDb: 'green' | 'red' };
  plugins: Record<string, unknown>;
  /** The credential ledger: what is left to settle (security/ledger-settlement.ts). */
  ledger: LedgerHealth;
}

export interface KernelServices {
  users: UserStore;
  /** Tokens, and API keys as `tokens.apiKeys`. */
  tokens: TokenStore;
  strategies: StrategyRegistry;
  /** Who has credentials in which strategy (a login needs a row). */
  ledger: CredentialLedger;
  /** Users whose creation is in progress. */
  creations: CreationJournal;
  plugins: PluginHost;
  /** The rights in force now (rightsStore.rights: replaced on every role or profile change). */
  readonly rights: Rights;
  rightsStore: RightsStore;
  /** Profiles' rateLimit, counted per caller. */
  requestRate: RequestRate;
  /** Failed logins per client address and per login identifier (auth:login). */
  loginThrottle: LoginThrottle;
  audit: AuditLog;
  settings: ApiSettings;
  log: Logger;
  /** The whole route table, for server:publicApi and rights listings. */
  actions(): readonly Action[];
  health(): HealthReport;
}
