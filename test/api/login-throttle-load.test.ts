/**
 * Login throttling under concurrent load, over a real port: hundreds of
 * wrong-password logins sent at once over 50 keep-alive connections, and
 * exactly the configured number of attempts reaches the strategy (counted
 * as the bcrypt compares the plugin asked the kernel for, and as 401s);
 * every other one is a 429 the strategy never saw. An attempt is counted
 * when admitted, so attempts in flight together cannot slip past the limit.
 *
 * The kernel trusts 127.0.0.1 as a proxy, so each scenario speaks for its
 * own client addresses through X-Forwarded-For.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiKernel, USER_PASSWORD, type ApiKernel } from '../helpers/api-kernel.js';

const HOUR = 3_600_000;
const ACCOUNT_LIMIT = 5;
const IP_LIMIT = 7;
const CONNECTIONS = 50;
const WRONG = 'not the passphrase at all';

interface Answer {
  status: number;
  id: string | null;
  /** The client side of the connection it came over. */
  port: number;
}

/** A kernel on a real port, and logins sent to it over CONNECTIONS keep-alive connections. */
class LoadClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

  private constructor(
    readonly k: ApiKernel,
    readonly url: string,
  ) {}

  static async start(options: Parameters<typeof startApiKernel>[0]): Promise<LoadClient> {
    const k = await startApiKernel({ ...options, config: { ...options?.config, logLevel: 'trace' } });
    await k.createUser(await k.firstAdmin(), 'alice');
    return new LoadClient(k, await k.kernel.listen());
  }

  async stop(): Promise<void> {
    this.#agent.destroy();
    await this.k.stop();
  }

  /** A login over the agent's connections, as the client at `address` (X-Forwarded-For, believed from 127.0.0.1 when it is a trusted proxy). */
  login(username: string, address: string, password = WRONG): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': address };
      const sent = request(`${this.url}/_login/local`, { method: 'POST', agent: this.#agent, headers }, (response) => {
        const port = response.socket.localPort!;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, id: (JSON.parse(text) as { error: { id: string } | null }).error?.id ?? null, port }));
      });
      sent.on('error', reject);
      sent.end(JSON.stringify({ username, password }));
    });
  }

  /** bcrypt compares the strategy asked for so far (host calls the kernel logs at trace level). */
  compares(): number {
    return this.k.logs().filter((line) => line.includes('"hostCall":"password.verify"')).length;
  }

  /** Sends all the logins at once; answers them with the compares they cost. */
  async flood(attempts: Array<[username: string, address: string]>): Promise<{ answers: Answer[]; compares: number }> {
    const before = this.compares();
    const answers = await Promise.all(attempts.map(([username, address]) => this.login(username, address)));
    // The trace line is written when the plugin's call arrives, before the answer: all are in by now.
    return { answers, compares: this.compares() - before };
  }
}

/** How many answers of each `status id`. */
function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, id } of answers) counts[`${status} ${id}`] = (counts[`${status} ${id}`] ?? 0) + 1;
  return counts;
}

describe('the kernel login throttle under concurrent load', () => {
  let c: LoadClient;
  beforeAll(async () => {
    c = await LoadClient.start({ config: { loginAccountFailures: ACCOUNT_LIMIT, loginAccountWindowMs: HOUR, loginIpFailures: IP_LIMIT, loginIpWindowMs: HOUR, trustedProxies: ['127.0.0.1'] } });
  });
  afterAll(() => c.stop());

  it(`one account, 200 wrong passwords at once from 20 addresses over ${CONNECTIONS} connections: exactly ${ACCOUNT_LIMIT} reach the strategy`, async () => {
    const attempts = Array.from({ length: 200 }, (_, i) => ['alice', `198.51.100.${i % 20}`] as [string, string]);
    const { answers, compares } = await c.flood(attempts);
    expect(tally(answers)).toEqual({ '401 plugin.strategy.missing_user': ACCOUNT_LIMIT, '429 api.process.too_many_logins_requests': 200 - ACCOUNT_LIMIT });
    expect(compares).toBe(ACCOUNT_LIMIT);
    expect(new Set(answers.map((answer) => answer.port)).size).toBe(CONNECTIONS);
    // Locked for everyone now, the right password included, without a compare.
    const before = c.compares();
    expect((await c.login('alice', '198.51.100.99', USER_PASSWORD)).status).toBe(429);
    expect(c.compares()).toBe(before);
  });

  it(`one address, 200 usernames at once over ${CONNECTIONS} connections: exactly ${IP_LIMIT} reach the strategy`, async () => {
    const attempts = Array.from({ length: 200 }, (_, i) => [`spray-${i}`, '203.0.113.7'] as [string, string]);
    const { answers, compares } = await c.flood(attempts);
    expect(tally(answers)).toEqual({ '401 plugin.strategy.missing_user': IP_LIMIT, '429 api.process.too_many_logins_requests': 200 - IP_LIMIT });
    expect(compares).toBe(IP_LIMIT);
  });

  it('four addresses, 60 usernames each, all at once: exactly the limit per address reaches the strategy', async () => {
    const addresses = ['192.0.2.1', '192.0.2.2', '2001:db8:1:1::1', '2001:db8:2:2::1'];
    // Interleaved, so the addresses' attempts race each other too.
    const attempts = Array.from({ length: 60 }, (_, i) => addresses.map((address, a) => [`guess-${a}-${i}`, address] as [string, string])).flat();
    const { answers, compares } = await c.flood(attempts);
    expect(compares).toBe(IP_LIMIT * addresses.length);
    for (const address of addresses) {
      const own = answers.filter((_, i) => attempts[i]![1] === address);
      expect({ address, ...tally(own) }).toEqual({ address, '401 plugin.strategy.missing_user': IP_LIMIT, '429 api.process.too_many_logins_requests': 60 - IP_LIMIT });
    }
  });
});

describe("the local plugin's lockout under concurrent load (the kernel throttle off)", () => {
  const LOCKOUT = 4;
  let c: LoadClient;
  beforeAll(async () => {
    // Four threads: four calls of the plugin run at once, racing for the count.
    c = await LoadClient.start({ config: { loginAccountFailures: 0, loginIpFailures: 0 }, local: { threads: { min: 4, max: 4 }, config: { lockout: { maxFailures: LOCKOUT, windowMinutes: 60 } } } });
  });
  afterAll(() => c.stop());

  it(`one account, 100 wrong passwords at once: exactly ${LOCKOUT} bcrypt compares, the rest 429 plugin.custom.too_many_requests`, async () => {
    const { answers, compares } = await c.flood(Array.from({ length: 100 }, () => ['alice', '127.0.0.1'] as [string, string]));
    expect(tally(answers)).toEqual({ '401 plugin.strategy.missing_user': LOCKOUT, '429 plugin.custom.too_many_requests': 100 - LOCKOUT });
    expect(compares).toBe(LOCKOUT);
  });
});
