/**
 * A real kernel with the bundled `local` plugin (bcrypt cost 4), for tests
 * of the HTTP API through the real hono app, plus the few calls most of
 * those tests start with.
 */
import type { KernelConfig } from '../../kernel/config/kernel-config.js';
import type { LedgerRetry } from '../../kernel/security/ledger-settlement.js';
import { pluginsDirWith } from './fixtures.js';
import { startTestKernel, type FixturePlugin, type TestKernel } from './test-kernel.js';

export interface ApiKernel extends TestKernel {
  /** A JSON request; `jwt` becomes a Bearer header. */
  call(method: string, path: string, options?: { body?: unknown; jwt?: string; headers?: Record<string, string> }): Promise<{ status: number; body: ApiBody; headers: Headers }>;
  /** Creates the first admin `admin` / ADMIN_PASSWORD and answers its token. */
  firstAdmin(): Promise<string>;
  /** Creates a user with the `default` profile and local credentials; answers its kuid. */
  createUser(jwt: string, username: string, password?: string, kuid?: string): Promise<string>;
  /** Logs in with the local strategy; answers the token. */
  login(username: string, password?: string): Promise<string>;
}

export interface ApiBody {
  status: number;
  error: { id: string; message: string; status: number; code: number; props: string[] } | null;
  result: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each test reads the result it expects
  requestId: string;
  controller: string | null;
  action: string | null;
  volatile: unknown;
  [key: string]: unknown;
}

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const USER_PASSWORD = 'a long enough passphrase';

export async function startApiKernel(
  options: {
    local?: Partial<FixturePlugin>;
    plugins?: Record<string, FixturePlugin>;
    /** Bundled plugins copied next to `local` (e.g. `['oauth']`); each still needs its entry in `plugins`. */
    bundled?: string[];
    dataDir?: string;
    config?: Partial<KernelConfig>;
    ledgerRetry?: LedgerRetry;
  } = {},
): Promise<ApiKernel> {
  const kernel = await startTestKernel(
    { local: { fixture: '', ...options.local, config: { cost: 4, ...options.local?.config } }, ...options.plugins },
    {
      pluginsDir: pluginsDirWith(['local', ...(options.bundled ?? [])]),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.ledgerRetry === undefined ? {} : { ledgerRetry: options.ledgerRetry }),
    },
  );
  const call: ApiKernel['call'] = async (method, path, { body, jwt, headers = {} } = {}) => {
    const response = await kernel.kernel.app.request(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as ApiBody, headers: response.headers };
  };
  const expectOk = <T extends { status: number; body: ApiBody }>(response: T, what: string): T => {
    if (response.status !== 200) throw new Error(`${what} failed: ${JSON.stringify(response.body.error)}`);
    return response;
  };
  const login: ApiKernel['login'] = async (username, password = USER_PASSWORD) =>
    expectOk(await call('POST', '/_login/local', { body: { username, password } }), 'login').body.result.jwt as string;
  return {
    ...kernel,
    call,
    login,
    async firstAdmin() {
      expectOk(await call('POST', '/_createFirstAdmin/admin', { body: { credentials: { local: { username: 'admin', password: ADMIN_PASSWORD } } } }), 'createFirstAdmin');
      return login('admin', ADMIN_PASSWORD);
    },
    async createUser(jwt, username, password = USER_PASSWORD, kuid) {
      const path = kuid === undefined ? '/users/_create' : `/users/${kuid}/_create`;
      const body = { content: { profileIds: ['default'] }, credentials: { local: { username, password } } };
      return expectOk(await call('POST', path, { body, jwt }), 'createUser').body.result._id as string;
    },
  };
}

/** A response's status and error id, the pair most assertions compare. */
export function errorOf(response: { status: number; body: ApiBody }): { status: number; id: string | undefined } {
  return { status: response.status, id: response.body.error?.id };
}
