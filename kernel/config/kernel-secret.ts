/**
 * The key the kernel signs its tokens with (HS256, at least 256 bits).
 *
 * Taken from KERNEL_SECRET when set, else from `<dataDir>/kernel.secret`,
 * which is generated on first start so a fresh install is never left with a
 * guessable default. The value never appears in a message.
 *
 * @example
 * ```ts
 * const secret = await loadKernelSecret(config.dataDir, config.kernelSecret, (msg) => log.warn(msg));
 * ```
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface KernelSecret {
  key: Buffer;
  source: 'env' | 'file' | 'generated';
}

export const SECRET_FILE = 'kernel.secret';
/** 256 bits: HS256 needs a key at least as long as its hash. */
const MIN_BYTES = 32;
const GENERATED_BYTES = 64;
/** Any permission for group or others. */
const SHARED_BITS = 0o077;

/**
 * @param fromEnv KERNEL_SECRET, used as UTF-8 bytes when set.
 * @param warn told when the secret file's permissions had to be tightened.
 * @throws Error when the secret is too short or the file is malformed.
 */
export async function loadKernelSecret(
  dataDir: string,
  fromEnv: string | undefined,
  warn: (msg: string) => void = () => {},
): Promise<KernelSecret> {
  if (fromEnv !== undefined) {
    const key = Buffer.from(fromEnv, 'utf8');
    if (key.length < MIN_BYTES) throw new Error(`KERNEL_SECRET must be at least ${MIN_BYTES} bytes (256 bits)`);
    return { key, source: 'env' };
  }
  const file = join(dataDir, SECRET_FILE);
  const existing = await readSecretFile(file, warn);
  if (existing !== undefined) return { key: existing, source: 'file' };
  return createSecretFile(dataDir, file, warn);
}

/** The key in `file`, or undefined when there is no such file. */
async function readSecretFile(file: string, warn: (msg: string) => void): Promise<Buffer | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`Kernel secret file ${file} is not a regular file`);
    if ((stats.mode & SHARED_BITS) !== 0) {
      await handle.chmod(0o600);
      const was = (stats.mode & 0o777).toString(8).padStart(4, '0');
      warn(`Kernel secret file ${file} was accessible to group or others (mode ${was}); its mode is now 0600`);
    }
    return parseSecret(await handle.readFile('utf8'), file);
  } finally {
    await handle.close();
  }
}

function parseSecret(text: string, file: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length < MIN_BYTES * 2) {
    throw new Error(
      `Kernel secret file ${file} must hold at least ${MIN_BYTES * 2} hexadecimal characters (${MIN_BYTES * 8} bits) and nothing else`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Generates the secret and publishes it without ever overwriting one: it is
 * written in full to a private temporary file (exclusive create, mode 0600),
 * then hard-linked to its final name, which fails with EEXIST if another
 * kernel got there first. A reader therefore never sees a half-written file;
 * the loser of the race adopts the winner's secret.
 */
async function createSecretFile(dataDir: string, file: string, warn: (msg: string) => void): Promise<KernelSecret> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(GENERATED_BYTES);
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(draft, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600, flush: true });
  try {
    await link(draft, file);
    return { key, source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readSecretFile(file, warn);
    if (theirs === undefined) throw new Error(`Kernel secret file ${file} vanished while being created`, { cause: error });
    return { key: theirs, source: 'file' };
  } finally {
    // Only the linked name matters; a leftover draft is 0600 in our own folder.
    await unlink(draft).catch(() => undefined);
  }
}
