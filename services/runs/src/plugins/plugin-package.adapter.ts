import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePluginManifest, PluginManifestError, type PluginManifest } from '@evalvault/plugin-api';
import { PluginError, PluginErrorCode } from './plugin.errors.js';

/** A plugin package found on disk: where, what its manifest says, and the checksum of its files. */
export interface PluginPackage {
  /** As EVALVAULT_PLUGINS named it. */
  entry: string;
  directory: string;
  manifest: PluginManifest;
  /** `sha256:<hex>` of the package's files (packageChecksum). */
  checksum: string;
  /** file: URL of the metrics module. */
  metricsUrl: string;
}

/**
 * Finds the package an EVALVAULT_PLUGINS entry names: a path (starting with `.` or `/`, relative to
 * `cwd`) to the package's directory, or a package name looked up in node_modules from `cwd` upwards,
 * as Node looks it up.
 */
export async function readPluginPackage(entry: string, cwd: string): Promise<PluginPackage> {
  const directory = packageDirectory(entry, cwd);
  let packageJson: unknown;
  try {
    packageJson = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
  } catch (error) {
    throw new PluginError(
      PluginErrorCode.BadManifest,
      `plugin "${entry}": cannot read ${join(directory, 'package.json')}: ${(error as Error).message}`,
    );
  }
  let manifest: PluginManifest;
  try {
    manifest = parsePluginManifest(packageJson, directory);
  } catch (error) {
    if (error instanceof PluginManifestError) throw new PluginError(PluginErrorCode.BadManifest, error.message);
    throw error;
  }
  const metricsPath = resolve(directory, manifest.metrics);
  if (!existsSync(metricsPath))
    throw new PluginError(
      PluginErrorCode.BadManifest,
      `plugin ${manifest.name}@${manifest.version}: its metrics module ${manifest.metrics} does not exist` +
        ' (is the package built?)',
    );
  return {
    entry,
    directory,
    manifest,
    checksum: await packageChecksum(directory),
    metricsUrl: pathToFileURL(metricsPath).href,
  };
}

function packageDirectory(entry: string, cwd: string): string {
  if (entry.startsWith('.') || entry.startsWith('/')) {
    const directory = resolve(cwd, entry);
    if (existsSync(join(directory, 'package.json'))) return directory;
    throw new PluginError(PluginErrorCode.NotFound, `plugin "${entry}": no package.json in ${directory}`);
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...entry.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new PluginError(
    PluginErrorCode.NotFound,
    `plugin "${entry}" is not installed: no node_modules/${entry} from ${cwd} upwards (npm install it, or give a path)`,
  );
}

/** Never part of a package's identity: what npm installs beside it, and version-control metadata. */
const SKIPPED = new Set(['node_modules', '.git']);

/**
 * The checksum an approval pins: sha256 over the package's files in byte order of their
 * `/`-separated relative paths, each as `<path>\0<sha256 hex of its bytes>\n` (a symbolic link as
 * `<path>\0link:<target>\n`), node_modules and .git left out. Any changed, added or removed file
 * changes it; the package's dependencies are pinned by their own approval, not by this one.
 */
export async function packageChecksum(directory: string): Promise<string> {
  const lines: string[] = [];
  for (const path of (await listFiles(directory, directory)).sort(byteOrder)) {
    const absolute = join(directory, ...path.split('/'));
    const link = await readlink(absolute).catch(() => null);
    const digest =
      link !== null
        ? `link:${link}`
        : createHash('sha256')
            .update(await readFile(absolute))
            .digest('hex');
    lines.push(`${path}\0${digest}\n`);
  }
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`;
}

async function listFiles(root: string, directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, path)));
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(relative(root, path).split(sep).join('/'));
  }
  return files;
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
