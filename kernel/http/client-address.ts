/**
 * Who is calling, as the kernel sees it: the client's address, and whether
 * the client reached us over HTTPS. Behind a reverse proxy the socket's peer
 * is the proxy, which passes the client on in `X-Forwarded-For` (each hop
 * appends the address it received the request from) and the scheme in
 * `X-Forwarded-Proto`. Anyone can write those headers, so they are believed
 * only when the peer is one of the proxies listed in TRUSTED_PROXIES, and
 * then only as far as the chain of trusted proxies goes.
 *
 * @example
 * ```ts
 * const proxies = new TrustedProxies(['10.0.0.0/8']);
 * clientAddress('10.0.0.5', '203.0.113.7, 10.0.0.9', proxies); // '203.0.113.7'
 * clientAddress('198.51.100.1', '203.0.113.7', proxies);        // '198.51.100.1': not a trusted peer
 * ```
 */
import { BlockList, isIP } from 'node:net';

/** The longest `X-Forwarded-For` entry read: an IPv6 address with a zone and a port fits in 64. */
const MAX_HOP_LENGTH = 64;

/** The proxies whose forwarding headers are believed: IP addresses and CIDR ranges, IPv4 or IPv6. */
export class TrustedProxies {
  readonly #list = new BlockList();

  /** @throws Error naming the first rule that is neither an address nor a CIDR range (see {@link proxyRuleProblem}). */
  constructor(rules: readonly string[]) {
    for (const rule of rules) {
      const problem = proxyRuleProblem(rule);
      if (problem !== null) throw new Error(problem);
      const [address = '', prefix] = rule.split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, Number(prefix), family);
    }
  }

  /** Whether `address` (as {@link plainAddress} gives it) is a trusted proxy. IPv4 rules also match IPv4-mapped IPv6. */
  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Why `rule` is not an address or a CIDR range (`10.0.0.0/8`, `fd00::/8`), or null if it is one. */
export function proxyRuleProblem(rule: string): string | null {
  const [address = '', prefix, extra] = rule.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined || address.includes('%')) return `"${rule.slice(0, 100)}" is not an IP address or a CIDR range`;
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) {
    return `"${rule.slice(0, 100)}" has a prefix length outside 0-${family === 4 ? 32 : 128}`;
  }
  return null;
}

/**
 * The client's address. Without trusted proxies, or when the peer is not one,
 * it is the peer. Otherwise `X-Forwarded-For` is read from the right: the
 * first address that is not a trusted proxy is the client (addresses to its
 * left were written by the client itself, and are ignored). If every hop is
 * a trusted proxy, the left-most is the client; if the hop a trusted proxy
 * wrote is not an address, the last trusted address stands in for it.
 *
 * @param peer the socket's remote address; null when there is no socket (app.request() in tests).
 */
export function clientAddress(peer: string | null, forwardedFor: string | undefined, proxies: TrustedProxies | null): string | null {
  if (peer === null) return null;
  let client = plainAddress(peer);
  if (proxies === null || forwardedFor === undefined || !proxies.has(client)) return client;
  let end = forwardedFor.length;
  while (end > 0) {
    const start = forwardedFor.lastIndexOf(',', end - 1) + 1;
    const hop = hopAddress(forwardedFor.slice(start, end));
    if (hop === null) return client;
    client = hop;
    if (!proxies.has(hop)) return hop;
    end = start - 1;
  }
  return client;
}

/**
 * Whether the client used HTTPS: the connection is TLS, or a trusted proxy
 * peer says so in `X-Forwarded-Proto` (any of its comma-separated values
 * being `https`: the client-facing proxy is the one that terminates TLS,
 * and a value the client wrote can only add `Secure` to its own cookie).
 */
export function forwardedHttps(encrypted: boolean, peer: string | null, forwardedProto: string | undefined, proxies: TrustedProxies | null): boolean {
  if (encrypted) return true;
  if (peer === null || proxies === null || forwardedProto === undefined || !proxies.has(plainAddress(peer))) return false;
  return forwardedProto.split(',').some((proto) => proto.trim().toLowerCase() === 'https');
}

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) as `203.0.113.7`; anything else as is. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** One `X-Forwarded-For` entry as an address: `[::1]:80` and `203.0.113.7:5000` lose their port. Null if not an address. */
function hopAddress(entry: string): string | null {
  let text = entry.trim();
  if (text.length === 0 || text.length > MAX_HOP_LENGTH) return null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return null;
    text = text.slice(1, close);
  } else if (text.indexOf(':') !== -1 && text.indexOf(':') === text.lastIndexOf(':')) text = text.slice(0, text.indexOf(':'));
  return isIP(text) === 0 ? null : plainAddress(text);
}

/**
 * Who counts as one client for a limit: an IPv4 address as is, an IPv6 one
 * as its /64 (one subscriber's allocation: rotating within it changes nothing).
 */
export function addressKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])));
  const first = groups(head);
  const full = tail === undefined ? first : [...first, ...Array<string>(8 - first.length - groups(tail).length).fill('0'), ...groups(tail)];
  return `${full
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
