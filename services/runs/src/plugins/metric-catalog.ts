import type { PluginSnapshot } from '@evalvault/contracts';
import { MetricError, METRIC_NAMES, metricByName, type Metric } from '@evalvault/evaluation';
import { assertCaseMeets, type PluginHost, type PluginMetricInfo } from './plugin-host.js';

/** The metrics this runs service scores with: the built-in ones and those of its plugins. */
export interface MetricCatalog {
  readonly names: readonly string[];
  /** The metric of that name; an unknown name is an UNKNOWN_METRIC error listing the known ones. */
  byName(name: string): Metric;
  /** The plugins whose metrics a run uses, sorted by name, as the run pins them; null: none. */
  pluginsOf(metrics: readonly string[]): PluginSnapshot[] | null;
  /** The loaded plugins. */
  readonly plugins: readonly PluginHost[];
  close(): Promise<void>;
}

/** Without plugins: the built-in metrics only. */
export const BUILT_IN_METRICS: MetricCatalog = {
  names: METRIC_NAMES,
  byName: metricByName,
  pluginsOf: () => null,
  plugins: [],
  close: () => Promise.resolve(),
};

export function metricCatalog(hosts: readonly PluginHost[]): MetricCatalog {
  if (hosts.length === 0) return BUILT_IN_METRICS;
  const plugged = new Map<string, { host: PluginHost; metric: Metric }>();
  for (const host of hosts)
    for (const info of host.metrics) plugged.set(info.name, { host, metric: pluginMetric(host, info) });
  const names = Object.freeze([...METRIC_NAMES, ...plugged.keys()].sort());
  return {
    names,
    byName(name) {
      const found = plugged.get(name);
      if (found) return found.metric;
      try {
        return metricByName(name);
      } catch (error) {
        if (!(error instanceof MetricError)) throw error;
        const known = names.join(', ');
        throw new MetricError(
          'UNKNOWN_METRIC',
          name,
          `Unknown metric ${JSON.stringify(name)}; known metrics: ${known}`,
        );
      }
    },
    pluginsOf(metrics) {
      const used = new Map<string, PluginSnapshot>();
      for (const name of metrics) {
        const host = plugged.get(name)?.host;
        if (host) used.set(host.plugin.manifest.name, snapshotOf(host));
      }
      return used.size === 0 ? null : [...used.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    plugins: hosts,
    close: async () => {
      await Promise.all(hosts.map((host) => host.close()));
    },
  };
}

export function snapshotOf(host: PluginHost): PluginSnapshot {
  const { manifest, checksum } = host.plugin;
  return { name: manifest.name, version: manifest.version, checksum };
}

/**
 * Why this worker may not score a run's cases with the plugins it pinned (another version or
 * checksum loaded here, or not loaded at all), or null: the configHash must say what scored it.
 */
export function pluginsChanged(catalog: MetricCatalog, pinned: readonly PluginSnapshot[] | null): string | null {
  if (!pinned) return null;
  const loaded = new Map(catalog.plugins.map((host) => [host.plugin.manifest.name, snapshotOf(host)]));
  for (const plugin of pinned) {
    const here = loaded.get(plugin.name);
    const label = `${plugin.name}@${plugin.version} (${plugin.checksum})`;
    if (!here) return `the run pinned plugin ${label}; this worker has not loaded it`;
    if (here.version !== plugin.version || here.checksum !== plugin.checksum)
      return `the run pinned plugin ${label}; this worker loaded ${here.version} (${here.checksum}): rerun it`;
  }
  return null;
}

function pluginMetric(host: PluginHost, info: PluginMetricInfo): Metric {
  return Object.freeze({
    ...info,
    requires: Object.freeze([...info.requires]),
    async score(testCase, deps = {}, options = {}) {
      const judge = info.kind === 'llm' ? (deps.judge ?? null) : null;
      assertCaseMeets(info, testCase, judge);
      return host.score(info.name, testCase, { ...options }, judge);
    },
  } satisfies Metric);
}
