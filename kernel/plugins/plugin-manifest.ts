/**
 * A plugin's `manifest.json`: who it is, which kernels it runs on, and the
 * module its isolates load.
 *
 * @example
 * ```json
 * {"name": "local", "version": "1.0.0", "kernelVersion": "^0.1.0", "main": "dist/index.js"}
 * ```
 * Other fields are the plugin's own metadata and are ignored.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import semver from 'semver';
import { PluginError } from '@portcullis/sdk-plugin/errors';
import { jsonSyntaxError, PLUGIN_NAME } from '../config/plugins-config.js';

export interface PluginManifest {
  name: string;
  version: string;
  /** The semver range of kernels the plugin runs on. */
  kernelVersion: string;
  /** Absolute real path of the plugin folder. */
  dir: string;
  /** Absolute real path of the entry module, inside `dir`. */
  entry: string;
  /**
   * Strategies the plugin says it provides (optional). Only used when the
   * plugin fails to boot: those names then answer 503 instead of "unknown".
   */
  strategies?: string[];
}

/**
 * Reads and checks `<pluginsDir>/<name>/manifest.json`.
 *
 * @param kernelVersion the running kernel's version, matched against the manifest's range.
 * @throws PluginError `plugin.config.not_found` or `plugin.manifest.*`
 * (`plugin.manifest.unsafe_symlink` for a link leading out of the folder).
 */
export function loadManifest(pluginsDir: string, name: string, kernelVersion: string): PluginManifest {
  // The name becomes a path segment: refuse "../x" before touching the disk.
  if (!PLUGIN_NAME.test(name)) throw new PluginError('plugin.manifest.invalid_name', name);
  const dir = pluginFolder(pluginsDir, name);
  // Before reading anything in the folder, manifest.json included: a link
  // out of it is refused whatever it is used for.
  refuseEscapingLinks(dir, name);
  const manifest = readManifest(dir, name);
  checkName(manifest, name);
  const version = field(manifest, 'version');
  if (typeof version !== 'string' || semver.valid(version) === null) {
    throw new PluginError('plugin.manifest.invalid_field', name, 'version', 'expected a semver version such as "1.0.0"');
  }
  const range = checkKernelVersion(manifest, name, kernelVersion);
  const entry = resolveMain(dir, name, field(manifest, 'main'));
  return { name, version, kernelVersion: range, dir, entry, strategies: declaredStrategies(manifest, name) };
}

/** The real path of the plugin folder: a symlinked folder counts as its target. */
function pluginFolder(pluginsDir: string, name: string): string {
  const dir = resolve(pluginsDir, name);
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch (error) {
    if (isMissing(error)) throw new PluginError('plugin.config.not_found', name, `folder ${dir} does not exist`);
    throw new PluginError('plugin.manifest.cannot_load', name, errorText(error));
  }
  if (!isFolder) throw new PluginError('plugin.config.not_found', name, `${dir} is not a folder`);
  return realpathSync(dir);
}

function readManifest(dir: string, name: string): Record<string, unknown> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) throw new PluginError('plugin.config.not_found', name, `its folder ${dir} has no manifest.json`);
    throw new PluginError('plugin.manifest.cannot_load', name, errorText(error));
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new PluginError('plugin.manifest.cannot_load', name, jsonSyntaxError(text, error));
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new PluginError('plugin.manifest.cannot_load', name, 'expected a JSON object');
  }
  return manifest as Record<string, unknown>;
}

function checkName(manifest: Record<string, unknown>, name: string): void {
  const declared = field(manifest, 'name');
  if (declared === undefined) throw new PluginError('plugin.manifest.missing_name', name);
  if (typeof declared !== 'string' || declared === '') throw new PluginError('plugin.manifest.invalid_name_type', name);
  // The folder name, not the declared one: that may hold anything, newlines included.
  if (!PLUGIN_NAME.test(declared)) throw new PluginError('plugin.manifest.invalid_name', name);
  if (declared !== name) throw new PluginError('plugin.manifest.name_mismatch', name, declared, name);
}

function checkKernelVersion(manifest: Record<string, unknown>, name: string, kernelVersion: string): string {
  const range = field(manifest, 'kernelVersion');
  if (range === undefined) throw new PluginError('plugin.manifest.missing_version', name);
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw new PluginError('plugin.manifest.invalid_field', name, 'kernelVersion', 'expected a semver range such as "^1.0.0"');
  }
  // Pre-release kernels (0.2.0-rc.1) must still match plain ranges (^0.2.0-0, >=0.1.0).
  if (!semver.satisfies(kernelVersion, range, { includePrerelease: true })) {
    throw new PluginError('plugin.manifest.version_mismatch', name, kernelVersion, range);
  }
  return range;
}

/**
 * The real path of `main`, which must be a regular file inside the plugin
 * folder: the isolate may only read that folder, and a symlink or `../`
 * pointing elsewhere would load code nobody reviewed as part of the plugin.
 */
function resolveMain(dir: string, name: string, main: unknown): string {
  const refuse = (reason: string): PluginError => new PluginError('plugin.manifest.invalid_main', name, reason);
  if (typeof main !== 'string' || main === '') throw refuse('expected a non-empty string');
  const shown = JSON.stringify(main);
  if (isAbsolute(main)) throw refuse(`${shown} is an absolute path`);
  let entry: string;
  try {
    entry = realpathSync(resolve(dir, main));
  } catch {
    throw refuse(`${shown} does not exist`);
  }
  if (entry === dir || !isWithin(dir, entry)) throw refuse(`${shown} leads outside the plugin folder`);
  if (!statSync(entry).isFile()) throw refuse(`${shown} is not a file`);
  return entry;
}

/** Folders holding more entries are refused rather than walked for ever. */
const MAX_PLUGIN_ENTRIES = 100_000;

/**
 * Refuses a symbolic link anywhere in the plugin folder (its `node_modules`
 * included) whose real target lies outside it. Node 20's permission model
 * follows links, so `link -> ../data` would let the plugin read what its
 * read permission denies. The walk itself never follows a link; a dangling
 * or looping link is refused too, as its target cannot be checked.
 *
 * @param dir the plugin folder's real path.
 * @throws PluginError `plugin.manifest.unsafe_symlink`, or
 * `plugin.manifest.cannot_load` for a folder too large or unreadable to check.
 */
export function refuseEscapingLinks(dir: string, name: string, maxEntries = MAX_PLUGIN_ENTRIES): void {
  const pending = [dir];
  let seen = 0;
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    for (const entry of folderEntries(folder, name)) {
      seen += 1;
      if (seen > maxEntries) {
        const limit = maxEntries.toLocaleString('en-US');
        throw new PluginError('plugin.manifest.cannot_load', name, `the plugin folder holds more than ${limit} entries, too many to check for symbolic links`);
      }
      const path = join(folder, entry.name);
      // Dirent types come from lstat semantics: a link to a folder is a link, not a folder.
      if (entry.isSymbolicLink()) refuseEscapingLink(dir, name, path);
      else if (entry.isDirectory()) pending.push(path);
    }
  }
}

function folderEntries(folder: string, name: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    // A folder the kernel cannot list could hide a link the plugin can still open by name.
    throw new PluginError('plugin.manifest.cannot_load', name, `cannot check the plugin folder for symbolic links (${errorText(error)})`);
  }
}

function refuseEscapingLink(dir: string, name: string, link: string): void {
  let target: string | undefined;
  try {
    target = realpathSync(link);
  } catch {
    target = undefined; // dangling or looping: it could later lead anywhere
  }
  if (target === undefined || !isWithin(dir, target)) {
    throw new PluginError('plugin.manifest.unsafe_symlink', name, relative(dir, link));
  }
}

/** True when `path` is `dir` or lies below it (both real paths). */
function isWithin(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** An own field only: `__proto__` or inherited properties never count. */
function field(manifest: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(manifest, key) ? manifest[key] : undefined;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const STRATEGY_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

function declaredStrategies(manifest: Record<string, unknown>, name: string): string[] | undefined {
  const declared = Object.hasOwn(manifest, 'strategies') ? manifest.strategies : undefined;
  if (declared === undefined) return undefined;
  if (!Array.isArray(declared) || declared.length > 64 || !declared.every((s) => typeof s === 'string' && STRATEGY_NAME.test(s))) {
    throw new PluginError('plugin.manifest.invalid_field', name, 'strategies', 'expected an array of strategy names');
  }
  return declared as string[];
}
