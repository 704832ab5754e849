/**
 * The plugin API, version 1. A plugin package's `evalvault.api` range is checked against
 * PLUGIN_API_VERSION when the runs service starts. Semver promise (docs/plugins.md): within major 1,
 * fields are only added (optional for plugins to read or return), never removed or retyped; a
 * minor version adds, a patch fixes documentation. A breaking change is API 2, and a service
 * speaking API 2 refuses plugins declaring `^1`.
 */
export const PLUGIN_API_VERSION = '1.0.0';

/** One case as a plugin metric sees it (a structured-clone copy: changing it changes nothing). */
export interface PluginCase {
  id: string;
  question: string;
  answer: string;
  contexts: string[];
  groundTruth: string | null;
  metadata?: Record<string, unknown>;
}

/** A score in [0, 1] and why; anything else fails the case (PLUGIN_BAD_RESULT). */
export interface PluginMetricResult {
  score: number;
  explanation: string;
}

/** A call to the run's LLM judge, with the platform's rate limit, cache, budgets and cost accounting. */
export interface PluginJudgeRequest {
  /** What the call is for, e.g. "tone.score": part of the cache key, the cost breakdown and logs. */
  purpose: string;
  system?: string;
  prompt: string;
  /** Ask for a JSON object; the answer text is then JSON. */
  json: boolean;
}

export interface PluginMetricContext {
  /** The metric's options of the run (none yet: an empty object). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The run's judge; only for metrics of kind "llm" (a deterministic metric's call is refused). */
  judge(request: PluginJudgeRequest): Promise<string>;
}

export type PluginMetricKind = 'deterministic' | 'llm';

/** Case fields the metric cannot do without: a case lacking one fails before the metric runs. */
export type PluginMetricRequirement = 'groundTruth' | 'contexts';

export interface PluginMetric {
  /** Lowercase snake_case, unique among the built-in metrics and every enabled plugin's. */
  name: string;
  /** One line for listings: what the score means. */
  description: string;
  kind: PluginMetricKind;
  requires?: PluginMetricRequirement[];
  score(testCase: PluginCase, context: PluginMetricContext): PluginMetricResult | Promise<PluginMetricResult>;
}

/** What the module named by `evalvault.metrics` exports. */
export interface PluginMetricsModule {
  metrics: PluginMetric[];
}

/** Identity at run time; gives a plugin written in TypeScript its types. */
export function definePluginMetrics(metrics: PluginMetric[]): PluginMetricsModule {
  return { metrics };
}
