// A plugin attacking the file system from inside a real kernel: the kernel's
// files by path, every write, links out of its folder, and the descriptors
// the kernel process holds open (worker threads share them, and Node 20's
// permission model does not check descriptors: the runtime guards them,
// sdk-plugin/src/runtime/descriptor-guard.ts and file-handle-guard.ts).
// Symbolic links a plugin folder holds at boot: symlink-escape.test.ts.
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseContent,
  descriptorOf,
  folderListing,
  listeningDescriptor,
  notRefused,
  startHostileKernel,
  type HostileKernel,
} from '../helpers/hostile-kernel.js';

let k: HostileKernel;
beforeAll(async () => {
  k = await startHostileKernel({ 'hostile-fs': { fixture: 'hostile-fs' } });
});
afterAll(() => k.stop());

const attack = (name: string, args = {}) => k.attack('hostile-fs', name, args);

describe('reading what the kernel keeps', () => {
  it('is denied for every file, by every fs and fs/promises call, sync, callback and async', async () => {
    const targets = {
      otherPluginDb: k.victimDb,
      kernelDb: k.kernelDb,
      kernelSecret: k.kernelSecretFile,
      pluginsJson: k.pluginsConfig,
      etcPasswd: '/etc/passwd',
      // The process's real environment, and the kernel database again through its descriptor's path.
      procEnviron: '/proc/self/environ',
      procDescriptor: `/proc/self/fd/${descriptorOf(k.kernelDb)}`,
    };
    const report = await attack('read', { targets });
    // 7 files, 12 ways each: every one refused.
    expect(Object.keys(report as object)).toHaveLength(7 * 12);
    expect(notRefused(report)).toEqual([]);
    await k.expectServing();
  });

  it('is denied for listing DATA_DIR, the plugins folder and the system', async () => {
    const folders = { dataDir: k.dataDir, pluginNamespaces: join(k.dataDir, 'plugins'), pluginsFolder: k.pluginsDir, etc: '/etc', root: '/' };
    const report = (await attack('list', { folders })) as Record<string, string>;
    expect(Object.keys(report)).toHaveLength(5 * 5);
    const root = Object.entries(report).filter(([attempt]) => attempt.startsWith('root.'));
    expect(notRefused(Object.fromEntries(Object.entries(report).filter(([attempt]) => !attempt.startsWith('root.'))))).toEqual([]);
    // Known Node 20 behaviour: whether `/` itself may be listed (top-level names only) depends on
    // where the allowed folders are: allowed with the repository under /work and the plugin under
    // /tmp, refused with both under /tmp (a fresh clone in CI). Either way, all forms agree.
    const listed = notRefused(Object.fromEntries(root), /^ALLOWED: /);
    if (listed.length === 0) expect(report['root.readdirSync']).toContain('etc');
    else expect(notRefused(Object.fromEntries(root))).toEqual([]);
  });

  it('leaves one thing: fs.realpath answers whether a path exists (never its content; Node 20 does not check it)', async () => {
    await expect(attack('realpath', { file: k.kernelSecretFile })).resolves.toBe(`ALLOWED: ${k.kernelSecretFile}`);
    await expect(attack('realpath', { file: join(k.dataDir, 'missing') })).resolves.toBe('ENOENT');
  });
});

describe('writing', () => {
  it('is denied everywhere: its own folder, DATA_DIR, the kernel files, links out of its folder', async () => {
    const before = { data: folderListing(k.dataDir), plugin: folderListing(join(k.pluginsDir, 'hostile-fs')), secret: readFileSync(k.kernelSecretFile, 'utf8') };
    const report = await attack('write', { dataDir: k.dataDir, kernelSecret: k.kernelSecretFile, kernelDb: k.kernelDb });
    expect(Object.keys(report as object)).toHaveLength(18);
    expect(notRefused(report)).toEqual([]);
    expect(folderListing(k.dataDir)).toEqual(before.data);
    expect(folderListing(join(k.pluginsDir, 'hostile-fs'))).toEqual(before.plugin);
    expect(readFileSync(k.kernelSecretFile, 'utf8')).toBe(before.secret);
    await k.expectServing();
  });
});

describe('descriptors the kernel process holds open', () => {
  it('refuses every fs call and FileHandle trick on one of them, and the file and descriptor are untouched', async () => {
    // A file the kernel process has open for reading and writing, as it has its databases.
    const decoy = join(k.dataDir, 'decoy');
    writeFileSync(decoy, 'kernel-only data', { mode: 0o600 });
    const fd = openSync(decoy, 'r+');
    try {
      const report = await attack('descriptors', { fd });
      const { fileHandleFdChanged, fileHandleFdRedefined, nativeFileHandle, ...fsCalls } = report as Record<string, string>;
      expect(Object.keys(fsCalls)).toHaveLength(23);
      expect(notRefused(fsCalls)).toEqual([]);
      expect({ fileHandleFdChanged, fileHandleFdRedefined, nativeFileHandle }).toEqual({
        // A handle's fd is pinned to its native handle's: the number it was changed to is ignored.
        fileHandleFdChanged: 'ALLOWED: // A plugin that',
        fileHandleFdRedefined: 'TypeError: Cannot redefine property: fd',
        // The native FileHandle constructor is gone: it would wrap any descriptor (and abort on a bad one).
        nativeFileHandle: 'TypeError: Native is not a constructor',
      });
      expect(readFileSync(decoy, 'utf8')).toBe('kernel-only data');
      expect(fstatSync(fd).mode & 0o777).toBe(0o600);
    } finally {
      closeSync(fd);
    }
    await k.expectServing();
  });

  it("refuses reading the kernel database's own descriptor", async () => {
    const before = databaseContent(k.kernelDb);
    const report = await attack('peek', { fd: descriptorOf(k.kernelDb) });
    expect(report).toEqual({ readSync: 'ERR_ACCESS_DENIED', createReadStreamFd: 'ERR_ACCESS_DENIED', fileHandleFdChanged: 'ALLOWED: // A plugin that' });
    expect(databaseContent(k.kernelDb)).toEqual(before);
  });

  it('sees none of the descriptors below 1024 (fstat on each)', async () => {
    await expect(attack('scan')).resolves.toEqual([]);
  });

  it("cannot take over the kernel's listening socket or its stdout; clients still reach the kernel", async () => {
    const url = await k.kernel.listen();
    const report = await attack('sockets', { listenFd: listeningDescriptor(Number(new URL(url).port)) });
    expect(report).toEqual({
      listenOnFd: 'ERR_ACCESS_DENIED',
      listenOnHandleFd: 'ERR_ACCESS_DENIED',
      socketOnFd: 'ERR_ACCESS_DENIED',
      connectWithFd: 'ERR_ACCESS_DENIED',
      nativeTcpOpen: 'ERR_ACCESS_DENIED',
      nativeTcpConstructor: expect.stringMatching(/^TypeError: .* is not a constructor$/),
      // UDP handles adopt only UDP sockets (their open(fd) is refused too); the kernel holds none.
      dgramBindFd: 'ERR_INVALID_FD_TYPE',
      ttyWriteStreamStdout: 'ERR_ACCESS_DENIED',
    });
    // Had the plugin listened on the kernel's socket, some of these would answer "stolen".
    const answers = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${url}/_now`)).status));
    expect(answers).toEqual(Array.from({ length: 10 }, () => 200));
  });

  it('still lets the plugin use its own files, descriptors and handles', async () => {
    await expect(attack('own-files')).resolves.toEqual({
      syncDescriptor: '//',
      fileHandle: true,
      promisesReadFile: true,
      readFileSync: true,
      stream: true,
      // Closed, it is no longer the plugin's: the kernel may get that number next.
      closedDescriptorReused: 'ERR_ACCESS_DENIED',
    });
  });
});
