/**
 * The client's address and scheme behind reverse proxies: X-Forwarded-For
 * and X-Forwarded-Proto believed only from trusted proxies, read from the
 * right, never further than the chain of trusted proxies.
 */
import { describe, expect, it } from 'vitest';
import { clientAddress, forwardedHttps, proxyRuleProblem, TrustedProxies } from '../../kernel/http/client-address.js';

const proxies = new TrustedProxies(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);

describe('clientAddress', () => {
  it.each([
    ['no trusted proxies: the peer, whatever the header says', '10.0.0.5', '203.0.113.7', null, '10.0.0.5'],
    ['a peer that is not a trusted proxy: the peer (a spoofed header is ignored)', '198.51.100.1', '203.0.113.7', proxies, '198.51.100.1'],
    ['a trusted peer without the header: the peer', '10.0.0.5', undefined, proxies, '10.0.0.5'],
    ['a trusted peer: the address it forwarded', '10.0.0.5', '203.0.113.7', proxies, '203.0.113.7'],
    ['the right-most untrusted address, not what the client wrote to its left', '10.0.0.5', '6.6.6.6, 203.0.113.7', proxies, '203.0.113.7'],
    ['through a chain of trusted proxies', '127.0.0.1', '6.6.6.6, 203.0.113.7, 10.1.1.1, 10.2.2.2', proxies, '203.0.113.7'],
    ['every hop trusted: the left-most', '10.0.0.5', '10.9.9.9, 10.1.1.1', proxies, '10.9.9.9'],
    ['repeated headers as joined', '10.0.0.5', '6.6.6.6, 203.0.113.7', proxies, '203.0.113.7'],
    ['an IPv4 hop with a port', '10.0.0.5', '203.0.113.7:51234', proxies, '203.0.113.7'],
    ['a bracketed IPv6 hop with a port', '10.0.0.5', '[2001:db8::1]:443', proxies, '2001:db8::1'],
    ['an IPv6 hop', 'fd00::2', '2001:db8::1', proxies, '2001:db8::1'],
    ['an IPv4-mapped peer, as IPv4', '::ffff:10.0.0.5', '203.0.113.7', proxies, '203.0.113.7'],
    ['an IPv4-mapped hop, as IPv4', '10.0.0.5', '::ffff:203.0.113.7', proxies, '203.0.113.7'],
    ['garbage where the proxy wrote: the proxy', '10.0.0.5', 'not-an-ip', proxies, '10.0.0.5'],
    ['garbage left of the client is never read', '10.0.0.5', 'junk, 203.0.113.7', proxies, '203.0.113.7'],
    ['an empty hop: the last trusted address', '10.0.0.5', '203.0.113.7, ', proxies, '10.0.0.5'],
    ['an unclosed bracket', '10.0.0.5', '[2001:db8::1', proxies, '10.0.0.5'],
    ['an over-long hop', '10.0.0.5', `${'1'.repeat(100)}`, proxies, '10.0.0.5'],
  ] as const)('%s', (_name, peer, forwardedFor, trusted, expected) => {
    expect(clientAddress(peer, forwardedFor, trusted)).toBe(expected);
  });

  it('is null without a socket', () => {
    expect(clientAddress(null, '203.0.113.7', proxies)).toBeNull();
  });

  it('walks a long header only as far as the trusted chain goes', () => {
    const header = `${'6.6.6.6, '.repeat(2000)}203.0.113.7, 10.1.1.1`;
    expect(clientAddress('10.0.0.5', header, proxies)).toBe('203.0.113.7');
  });
});

describe('forwardedHttps', () => {
  it.each([
    ['a TLS connection', true, '198.51.100.1', undefined, null, true],
    ['plain HTTP, no proxies', false, '10.0.0.5', 'https', null, false],
    ['a trusted proxy saying https', false, '10.0.0.5', 'https', proxies, true],
    ['a trusted proxy saying HTTPS among others', false, '10.0.0.5', 'http, HTTPS', proxies, true],
    ['a trusted proxy saying http', false, '10.0.0.5', 'http', proxies, false],
    ['an untrusted peer saying https', false, '198.51.100.1', 'https', proxies, false],
    ['no socket', false, null, 'https', proxies, false],
  ] as const)('%s', (_name, encrypted, peer, proto, trusted, expected) => {
    expect(forwardedHttps(encrypted, peer, proto, trusted)).toBe(expected);
  });
});

describe('TrustedProxies', () => {
  it('matches addresses and ranges of both families, IPv4 rules matching IPv4-mapped addresses', () => {
    expect(proxies.has('10.255.0.1')).toBe(true);
    expect(proxies.has('127.0.0.1')).toBe(true);
    expect(proxies.has('127.0.0.2')).toBe(false);
    expect(proxies.has('fd12::1')).toBe(true);
    expect(proxies.has('::ffff:10.0.0.1')).toBe(true);
    expect(proxies.has('not-an-ip')).toBe(false);
  });

  it.each(['localhost', '10.0.0.0/33', '::/129', '1.2.3.4/8/8', 'fe80::1%eth0', '10.0.0.0/x'])('refuses the rule %j', (rule) => {
    expect(proxyRuleProblem(rule)).not.toBeNull();
    expect(() => new TrustedProxies([rule])).toThrow();
  });
});
