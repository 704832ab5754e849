import type { PluginManifest } from '@evalvault/plugin-api';
import semver from 'semver';
import { PluginError, PluginErrorCode } from './plugin.errors.js';

/** An operator's approval of one plugin version, pinned by the checksum of its package's files. */
export interface PluginApproval {
  name: string;
  version: string;
  /** `sha256:<64 hex>` (see plugin-checksum.ts). */
  checksum: string;
}

/** The plugin's declared API range must admit the API this service speaks (prereleases never match). */
export function assertApiCompatible(manifest: PluginManifest, apiVersion: string): void {
  const label = `${manifest.name}@${manifest.version}`;
  if (semver.validRange(manifest.api) === null)
    throw new PluginError(
      PluginErrorCode.BadManifest,
      `plugin ${label}: "evalvault.api" is "${manifest.api}", not a semver range (e.g. "^1")`,
    );
  if (!semver.satisfies(apiVersion, manifest.api))
    throw new PluginError(
      PluginErrorCode.ApiIncompatible,
      `plugin ${label} requires plugin API "${manifest.api}"; this platform provides ${apiVersion}: ` +
        'upgrade the plugin or the platform, or leave the plugin out of EVALVAULT_PLUGINS',
    );
}

/** Every metric name is new: none shadows a built-in metric, none is declared twice by any plugins. */
export function assertNoCollisions(
  plugins: readonly { label: string; metrics: readonly string[] }[],
  builtIns: readonly string[],
): void {
  const owner = new Map<string, string>(builtIns.map((name) => [name, 'a built-in metric']));
  const clashes: string[] = [];
  for (const plugin of plugins) {
    for (const name of plugin.metrics) {
      const taken = owner.get(name);
      if (taken) clashes.push(`"${name}" of ${plugin.label} is already ${taken}`);
      else owner.set(name, `a metric of ${plugin.label}`);
    }
  }
  if (clashes.length > 0)
    throw new PluginError(PluginErrorCode.MetricCollision, `plugin metric names collide: ${clashes.join('; ')}`);
}

/** Metric names as gate rules can name them: lowercase snake_case, starting with a letter. */
export function assertMetricName(label: string, name: unknown): string {
  if (typeof name === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(name)) return name;
  throw new PluginError(
    PluginErrorCode.BadManifest,
    `plugin ${label} declares a metric named ${JSON.stringify(name)}: use lowercase snake_case (a-z, 0-9, _)`,
  );
}

/**
 * EVALVAULT_PLUGINS_APPROVED entries: `name@version=sha256:<hex>` (the scope's @ of `@acme/x` is
 * the name's, the last @ before `=` separates the version).
 */
export function parseApproval(entry: string): PluginApproval {
  const match = /^(@?[^@=\s]+)@([^@=\s]+)=(sha256:[0-9a-f]{64})$/.exec(entry.trim());
  if (!match)
    throw new Error(`entry "${entry}" is not name@version=sha256:<64 hex digits> (see evalvault plugins list)`);
  return { name: match[1]!, version: match[2]!, checksum: match[3]! };
}

/** With approval required, the plugin's exact name, version and checksum must be on the list. */
export function assertApproved(
  plugin: { name: string; version: string; checksum: string },
  approvals: readonly PluginApproval[],
): void {
  const label = `${plugin.name}@${plugin.version}`;
  const sameVersion = approvals.filter((a) => a.name === plugin.name && a.version === plugin.version);
  if (sameVersion.some((a) => a.checksum === plugin.checksum)) return;
  const approved = sameVersion.map((a) => a.checksum).join(' or ');
  const why =
    sameVersion.length > 0
      ? `its files' checksum is ${plugin.checksum}, not the approved ${approved}` +
        ' (the installed package differs from the one approved)'
      : `no approval lists ${label}; to approve it add ${label}=${plugin.checksum} to EVALVAULT_PLUGINS_APPROVED`;
  throw new PluginError(PluginErrorCode.NotApproved, `plugin ${label} is not approved: ${why}`);
}
