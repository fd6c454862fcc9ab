/**
 * FixedPathRouter answers exactly as hono's TrieRouter does, for every route
 * of the table and for paths no route has, from memory for fixed GET paths.
 */
import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../kernel/api/route-table.js';
import { FixedPathRouter } from '../../kernel/http/fixed-path-router.js';
import { orderedRoutes } from '../../kernel/http/route-order.js';

/** Both routers with the kernel's routes, as createApp registers them (a preflight on every path first). */
function routers(): [FixedPathRouter<string>, TrieRouter<string>] {
  const fixed = new FixedPathRouter<string>();
  const trie = new TrieRouter<string>();
  for (const router of [fixed, trie]) {
    router.add('OPTIONS', '*', 'preflight');
    for (const { action, route } of orderedRoutes(routeTable({}))) router.add(route.verb.toUpperCase(), route.path, `${action.controller}:${action.action}`);
  }
  return [fixed, trie];
}

describe('FixedPathRouter', () => {
  const paths = orderedRoutes(routeTable({})).map(({ route }) => route.path.replace(/:(\w+)/g, 'some-$1'));
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];

  it('matches what TrieRouter matches, for every route path and method, asked twice', () => {
    const [fixed, trie] = routers();
    for (const path of [...paths, '/', '/no/such', '/_now/', '/users/_me', '/_now?x=1']) {
      for (const method of methods) {
        const expected = trie.match(method, path);
        expect(fixed.match(method, path)).toEqual(expected);
        expect(fixed.match(method, path)).toEqual(expected);
      }
    }
  });

  it('forgets what it remembered when a route is added', () => {
    const [fixed] = routers();
    expect(fixed.match('GET', '/_now')[0].map(([handler]) => handler)).toEqual(['server:now']);
    fixed.add('GET', '/_now', 'second');
    expect(fixed.match('GET', '/_now')[0].map(([handler]) => handler)).toEqual(['server:now', 'second']);
  });
});
