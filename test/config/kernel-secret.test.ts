import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKernelSecret } from '../../kernel/config/kernel-secret.js';

let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-secret-'));
  dataDir = join(root, 'data');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const secretFile = (): string => join(dataDir, 'kernel.secret');
const mode = (path: string): number => statSync(path).mode & 0o777;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected loadKernelSecret to fail');
}

describe('loadKernelSecret from KERNEL_SECRET', () => {
  it('uses a secret of 32 bytes or more, and touches no file', async () => {
    const secret = 's'.repeat(32);
    const loaded = await loadKernelSecret(dataDir, secret);
    expect(loaded).toEqual({ key: Buffer.from(secret, 'utf8'), source: 'env' });
    expect(() => statSync(dataDir)).toThrow();
  });

  it('counts bytes, not characters', async () => {
    expect((await loadKernelSecret(dataDir, '€'.repeat(11))).key.length).toBe(33);
    await expect(loadKernelSecret(dataDir, 'é'.repeat(15))).rejects.toThrow(/at least 32 bytes/);
  });

  it('refuses a short secret without echoing it', async () => {
    const secret = 'short-secret-do-not-print-1234';
    const message = await failure(loadKernelSecret(dataDir, secret));
    expect(message).toBe('KERNEL_SECRET must be at least 32 bytes (256 bits)');
    expect(message).not.toContain(secret);
  });

  it('refuses an empty secret', async () => {
    await expect(loadKernelSecret(dataDir, '')).rejects.toThrow('KERNEL_SECRET must be at least 32 bytes (256 bits)');
  });

  it('wins over an existing secret file', async () => {
    await loadKernelSecret(dataDir, undefined);
    expect((await loadKernelSecret(dataDir, 'e'.repeat(40))).source).toBe('env');
  });
});

describe('loadKernelSecret from the data folder', () => {
  it('generates 64 random bytes into a 0600 file in a new 0700 folder', async () => {
    const loaded = await loadKernelSecret(dataDir, undefined);
    expect(loaded.source).toBe('generated');
    expect(loaded.key.length).toBe(64);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(secretFile())).toBe(0o600);
    expect(readFileSync(secretFile(), 'utf8').trim()).toBe(loaded.key.toString('hex'));
    expect(readdirSync(dataDir)).toEqual(['kernel.secret']);
  });

  it('reuses the file on the next load', async () => {
    const first = await loadKernelSecret(dataDir, undefined);
    const second = await loadKernelSecret(dataDir, undefined);
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('leaves an existing data folder mode alone', async () => {
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    await loadKernelSecret(dataDir, undefined);
    expect(mode(dataDir)).toBe(0o755);
  });

  it('gives two kernels starting together the same secret', async () => {
    const loads = await Promise.all([1, 2, 3, 4].map(() => loadKernelSecret(dataDir, undefined)));
    const keys = new Set(loads.map(({ key }) => key.toString('hex')));
    expect(keys.size).toBe(1);
    expect(loads.filter(({ source }) => source === 'generated')).toHaveLength(1);
    expect(readdirSync(dataDir)).toEqual(['kernel.secret']);
  });

  it('reads a secret written by hand, surrounding whitespace ignored', async () => {
    mkdirSync(dataDir);
    const hex = 'ab'.repeat(32);
    writeFileSync(secretFile(), `  ${hex.toUpperCase()}\n`, { mode: 0o600 });
    const loaded = await loadKernelSecret(dataDir, undefined);
    expect(loaded).toEqual({ key: Buffer.from(hex, 'hex'), source: 'file' });
  });

  it('tightens a file group or others could read, and says so', async () => {
    mkdirSync(dataDir);
    writeFileSync(secretFile(), 'cd'.repeat(32));
    chmodSync(secretFile(), 0o644);
    const warnings: string[] = [];
    const loaded = await loadKernelSecret(dataDir, undefined, (msg) => warnings.push(msg));
    expect(loaded.source).toBe('file');
    expect(mode(secretFile())).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(secretFile());
    expect(warnings[0]).toContain('0644');
    expect(warnings[0]).not.toContain('cd'.repeat(32));
  });

  it('says nothing about a file that is already private', async () => {
    await loadKernelSecret(dataDir, undefined);
    const warnings: string[] = [];
    await loadKernelSecret(dataDir, undefined, (msg) => warnings.push(msg));
    expect(warnings).toEqual([]);
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['not hexadecimal', 'zz'.repeat(40)],
    ['an odd number of digits', 'a'.repeat(65)],
    ['empty', ''],
  ])('refuses a file that is %s, naming it without echoing it', async (_what, content) => {
    mkdirSync(dataDir);
    writeFileSync(secretFile(), content, { mode: 0o600 });
    const message = await failure(loadKernelSecret(dataDir, undefined));
    expect(message).toContain(secretFile());
    expect(message).toContain('at least 64 hexadecimal characters');
    if (content !== '') expect(message).not.toContain(content);
  });

  it('refuses a secret path that is not a regular file', async () => {
    mkdirSync(secretFile(), { recursive: true });
    expect(await failure(loadKernelSecret(dataDir, undefined))).toContain('not a regular file');
  });
});
