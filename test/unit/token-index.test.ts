import { describe, expect, it } from 'vitest';
import { TokenIndex, type TokenEntry } from '../../kernel/tokens/token-index.js';

const entry = (jti: string): TokenEntry => ({ kind: 'token', jti, kuid: `user-${jti}`, expiresAt: 1_000, refreshed: false });

describe('TokenIndex (the in-memory side of the token store)', () => {
  it('past its capacity forgets the oldest token, both by token and by jti', () => {
    const index = new TokenIndex(2);
    index.set('token-a', entry('a'));
    index.set('token-b', entry('b'));
    index.set('token-c', entry('c'));
    expect(index.size).toBe(2);
    expect(index.get('token-a')).toBeUndefined();
    expect(index.get('token-b')?.jti).toBe('b');
    expect(index.get('token-c')?.jti).toBe('c');
    // The evicted token's jti is gone too: an update or delete by it touches nothing, not even a token cached again later.
    index.set('token-a', entry('x'));
    index.update('a', { refreshed: true });
    index.delete('a');
    expect(index.get('token-a')).toEqual(entry('x'));
  });

  it('setting a token it already holds does not evict another', () => {
    const index = new TokenIndex(2);
    index.set('token-a', entry('a'));
    index.set('token-b', entry('b'));
    index.set('token-a', { ...entry('a'), refreshed: true });
    expect(index.size).toBe(2);
    expect(index.get('token-a')?.refreshed).toBe(true);
    expect(index.get('token-b')?.jti).toBe('b');
  });

  it('delete by jti removes that token only; an unknown jti is a no-op', () => {
    const index = new TokenIndex(10);
    index.set('token-a', entry('a'));
    index.set('token-b', entry('b'));
    index.delete('a');
    index.delete('nope');
    expect(index.get('token-a')).toBeUndefined();
    expect(index.get('token-b')?.jti).toBe('b');
    expect(index.size).toBe(1);
    // A deleted entry frees its place.
    index.set('token-c', entry('c'));
    expect(index.size).toBe(2);
  });

  it('update changes a cached entry in place, and only expiresAt and refreshed', () => {
    const index = new TokenIndex(10);
    const cached = entry('a');
    index.set('token-a', cached);
    index.update('a', { expiresAt: 500, refreshed: true });
    expect(index.get('token-a')).toEqual({ kind: 'token', jti: 'a', kuid: 'user-a', expiresAt: 500, refreshed: true });
    expect(cached.expiresAt).toBe(500);
    index.update('unknown', { expiresAt: 1 });
    expect(index.get('token-a')).toEqual({ kind: 'token', jti: 'a', kuid: 'user-a', expiresAt: 500, refreshed: true });
  });
});
