import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, PluginError, isErrorId, type ErrorId } from '@portcullis/sdk-plugin/errors';
import { errorSpec } from '../../sdk-plugin/src/error-catalogue.js';

const API_MD = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');

// A backticked `domain.subdomain.name`; wildcards such as `plugin.strategy.*` never match.
const ID = '([a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*\\.[A-Za-z0-9_]+)';

/** Every error id API.md mentions. */
function documentedIds(): string[] {
  return [...new Set([...API_MD.matchAll(new RegExp(`\`${ID}\``, 'g'))].map((m) => m[1] ?? ''))];
}

/** The statuses API.md gives next to an id: "`id` (401" or "401 `id`". */
function documentedStatuses(): Array<{ id: string; status: number }> {
  const after = [...API_MD.matchAll(new RegExp(`\`${ID}\`\\s*\\((\\d{3})\\b`, 'g'))].map((m) => ({
    id: m[1] ?? '',
    status: Number(m[2]),
  }));
  const before = [...API_MD.matchAll(new RegExp(`\\b(\\d{3})\\s+\`${ID}\``, 'g'))].map((m) => ({
    id: m[2] ?? '',
    status: Number(m[1]),
  }));
  return [...after, ...before];
}

const entries = Object.entries(ERROR_CATALOGUE) as Array<[ErrorId, (typeof ERROR_CATALOGUE)[ErrorId]]>;

/** Kuzzle's PartialError answers a partly failed bulk action with 206; every other error is 4xx/5xx. */
const KUZZLE_PARTIAL_ERRORS = new Set<string>(['services.storage.import_failed', 'services.storage.incomplete_delete']);

/** Fails unless `pairs` maps names to numbers one-to-one. */
function expectOneToOne(pairs: Array<[string, number]>): Map<string, number> {
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [name, value] of pairs) {
    expect(byName.get(name) ?? value, `${name} decodes to two numbers`).toBe(value);
    expect(byNumber.get(value) ?? name, `${value} is shared by ${name} and ${byNumber.get(value)}`).toBe(name);
    byName.set(name, value);
    byNumber.set(value, name);
  }
  return byName;
}

describe('error catalogue', () => {
  it('holds every error id docs/API.md mentions', () => {
    const ids = documentedIds();
    expect(ids.length).toBeGreaterThan(10); // the parser found the ids
    expect(ids.filter((id) => !isErrorId(id))).toEqual([]);
  });

  it('gives the status docs/API.md states next to an id', () => {
    const stated = documentedStatuses();
    expect(stated.length).toBeGreaterThan(10); // the parser found the statuses
    const wrong = stated.filter(({ id, status }) => !isErrorId(id) || ERROR_CATALOGUE[id].status !== status);
    expect(wrong).toEqual([]);
  });

  it('gives every id its own code', () => {
    const codes = entries.map(([, spec]) => spec.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('encodes domain and subdomain in the code consistently', () => {
    const decoded = entries.map(([id, { code }]) => {
      const [domain = '', subdomain = ''] = id.split('.');
      return { domain, subdomain, d: code >>> 24, s: (code >>> 16) & 0xff, e: code & 0xffff };
    });
    expect(decoded.every(({ e }) => e > 0)).toBe(true);
    const domains = expectOneToOne(decoded.map(({ domain, d }) => [domain, d]));
    expectOneToOne(decoded.map(({ domain, subdomain, d, s }) => [`${domain}.${subdomain}`, (d << 8) | s]));
    // Kuzzle's domain numbers.
    expect(Object.fromEntries(domains)).toEqual({ core: 0, services: 1, api: 2, network: 3, plugin: 4, security: 7 });
    expect(ERROR_CATALOGUE['plugin.strategy.missing_user'].code).toBe((4 << 24) | (3 << 16) | 20);
  });

  it('has valid HTTP error statuses', () => {
    for (const [id, { status }] of entries) {
      if (KUZZLE_PARTIAL_ERRORS.has(id)) {
        expect(status, id).toBe(206);
      } else {
        expect(Number.isInteger(status) && status >= 400 && status <= 599, `${id}: ${status}`).toBe(true);
      }
    }
  });

  it('has a non-empty message and description for every id', () => {
    for (const [id, spec] of entries) {
      expect(typeof spec.message === 'string' && spec.message.length > 0, id).toBe(true);
      expect(typeof spec.description === 'string' && spec.description.length > 0, id).toBe(true);
    }
  });

  it('errorSpec returns the catalogue entry', () => {
    expect(errorSpec('security.token.invalid')).toEqual({
      code: 0x07010001,
      status: 401,
      message: 'Invalid token.',
      description: 'Invalid authentication token.',
    });
  });
});

describe('PluginError', () => {
  it('fills the placeholders in order and crosses the port as a WireError', () => {
    const error = new PluginError('plugin.runtime.unavailable', 'local', 'the kernel is shutting down');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Plugin "local" is unavailable: the kernel is shutting down.');
    expect(error.toWire()).toEqual({
      id: 'plugin.runtime.unavailable',
      code: ERROR_CATALOGUE['plugin.runtime.unavailable'].code,
      message: 'Plugin "local" is unavailable: the kernel is shutting down.',
      status: 503,
      props: ['local', 'the kernel is shutting down'],
    });
  });

  it('turns number props into strings', () => {
    const error = new PluginError('plugin.runtime.init_timeout', 'local', 5000);
    expect(error.message).toBe('Plugin "local": init did not finish within 5000ms.');
    expect(error.props).toEqual(['local', '5000']);
  });
});
