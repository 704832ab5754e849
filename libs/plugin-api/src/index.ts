// Public API of @evalvault/plugin-api: what a metric plugin implements, and its manifest.
export { PLUGIN_API_VERSION, definePluginMetrics } from './plugin-api.js';
export type {
  PluginCase,
  PluginJudgeRequest,
  PluginMetric,
  PluginMetricContext,
  PluginMetricKind,
  PluginMetricRequirement,
  PluginMetricResult,
  PluginMetricsModule,
} from './plugin-api.js';
export { parsePluginManifest, PluginManifestError, type PluginManifest } from './manifest.js';
