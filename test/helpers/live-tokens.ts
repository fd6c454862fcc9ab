/**
 * Tokens a fuzzing test keeps alive. Generated requests carry the tokens the
 * test started with; a request can revoke one (logout, deleting its user, a
 * password change, a single-use token's one use), and every later request
 * with it would stop at authentication. So each request is sent with the
 * live replacement of each original token, and after each request a revoked
 * one is reissued (its user recreated if need be) by an admin the fuzzing
 * cannot name: no kuid, username or password of it is in the generators.
 */
import type { ApiKernel } from './api-kernel.js';
import type { HostileRequest } from './hostile-requests.js';

export interface LiveToken {
  user: string;
  profile: string;
  kind: 'token' | 'apiKey' | 'singleUse';
}

export class LiveTokens {
  readonly #k: ApiKernel;
  readonly #root: string;
  readonly #live = new Map<string, LiveToken & { current: string }>();

  /** Told of every token and key made here, the keeper's own included. */
  readonly #minted: (token: string) => void;

  private constructor(k: ApiKernel, root: string, minted: (token: string) => void) {
    this.#k = k;
    this.#root = root;
    this.#minted = minted;
    minted(root);
  }

  /** Makes the hidden admin; `k` must already have a first admin. */
  static async start(k: ApiKernel, firstAdminJwt: string, minted: (token: string) => void): Promise<LiveTokens> {
    const password = `hidden root ${Math.random()}`;
    const body = { content: { profileIds: ['admin'] }, credentials: { local: { username: 'keeper-of-tokens', password } } };
    const created = await k.call('POST', '/users/keeper-of-tokens/_create', { jwt: firstAdminJwt, body });
    if (created.status !== 200) throw new Error(`cannot create the token keeper: ${JSON.stringify(created.body.error)}`);
    return new LiveTokens(k, await k.login('keeper-of-tokens', password), minted);
  }

  /** A new token of this kind for `user`, kept alive from now on; answers it (the original the requests carry). */
  async issue(token: LiveToken): Promise<string> {
    const current = await this.#mint(token);
    this.#live.set(current, { ...token, current });
    return current;
  }

  /** Every original token in the request (path, headers, body) replaced by its live one. */
  substitute(request: HostileRequest): HostileRequest {
    const swap = (text: string) => {
      let out = text;
      for (const [original, { current }] of this.#live) if (original !== current) out = out.split(original).join(current);
      return out;
    };
    return {
      ...request,
      path: swap(request.path),
      headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, swap(value)])),
      ...(typeof request.body === 'string' ? { body: swap(request.body) } : {}),
    };
  }

  /** Reissues every live token the last requests revoked. */
  async refresh(): Promise<void> {
    for (const live of this.#live.values()) {
      const check = await this.#k.call('POST', '/_checkToken', { body: { token: live.current } });
      if (check.body.result?.valid !== true) live.current = await this.#mint(live);
    }
  }

  async #mint({ user, profile, kind }: LiveToken): Promise<string> {
    const k = this.#k;
    const jwt = this.#root;
    if ((await k.call('GET', `/users/${user}`, { jwt })).status === 404) {
      await k.call('POST', `/users/${user}/_create`, { jwt, body: { content: { profileIds: [profile] } } });
    }
    const key = await k.call('POST', `/users/${user}/api-keys/_create`, { jwt, body: { description: 'kept alive' } });
    if (key.status !== 200) throw new Error(`cannot mint a key for ${user}: ${JSON.stringify(key.body.error)}`);
    const apiKey = key.body.result._source.token as string;
    this.#minted(apiKey);
    if (kind === 'apiKey') return apiKey;
    const made = await k.call('POST', `/_createToken${kind === 'singleUse' ? '?singleUse' : ''}`, { jwt: apiKey });
    if (made.status !== 200) throw new Error(`cannot mint a token for ${user}: ${JSON.stringify(made.body.error)}`);
    this.#minted(made.body.result.token);
    return made.body.result.token as string;
  }
}
