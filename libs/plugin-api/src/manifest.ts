import { isAbsolute } from 'node:path';

/** The `evalvault` entry of a plugin package's package.json, with the package's own name and version. */
export interface PluginManifest {
  name: string;
  version: string;
  /** The plugin-API range the plugin was written for, e.g. "^1". */
  api: string;
  /** The metrics module, relative to the package's directory. */
  metrics: string;
}

export class PluginManifestError extends Error {
  override readonly name = 'PluginManifestError';
}

/**
 * Reads a plugin's manifest out of its package.json, naming the package and the field on any
 * problem: a package without the `evalvault` entry is not a plugin, and is refused as one.
 */
export function parsePluginManifest(packageJson: unknown, where: string): PluginManifest {
  const bad = (why: string): PluginManifestError => new PluginManifestError(`plugin package at ${where}: ${why}`);
  if (!isRecord(packageJson)) throw bad('package.json is not a JSON object');
  const { name, version, evalvault } = packageJson;
  if (typeof name !== 'string' || name === '') throw bad('package.json has no "name"');
  if (typeof version !== 'string' || version === '') throw bad(`package.json of ${name} has no "version"`);
  const label = `${name}@${version}`;
  if (evalvault === undefined)
    throw bad(`${label} has no "evalvault" entry (e.g. {"evalvault": {"api": "^1", "metrics": "./dist/metrics.js"}})`);
  if (!isRecord(evalvault)) throw bad(`${label}: "evalvault" must be an object`);
  const { api, metrics } = evalvault;
  if (typeof api !== 'string' || api.trim() === '') throw bad(`${label}: "evalvault.api" must be a semver range`);
  if (typeof metrics !== 'string' || metrics === '')
    throw bad(`${label}: "evalvault.metrics" must name the metrics module, e.g. "./dist/metrics.js"`);
  if (isAbsolute(metrics) || metrics.split(/[\\/]/).includes('..'))
    throw bad(`${label}: "evalvault.metrics" must be a path inside the package, got "${metrics}"`);
  return { name, version, api: api.trim(), metrics };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
