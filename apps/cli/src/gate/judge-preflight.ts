import { METRIC_NAMES, metricByName } from '@evalvault/evaluation';
import { CliError } from '../errors.js';
import type { Environment } from '../io.js';

/** Plugin metrics by name, with their kind (see plugin-metrics.ts). */
export type PluginMetricKinds = ReadonlyMap<string, string>;

const isJudged = (metric: string, plugins: PluginMetricKinds = new Map()): boolean =>
  plugins.has(metric) ? plugins.get(metric) === 'llm' : metricByName(metric).kind === 'llm';

/** The deterministic metric measuring what an LLM-judged one does (faithfulness → faithfulness_lexical), if any. */
function deterministicSibling(metric: string): string | null {
  const base = metric.replace(/_llm$/, '');
  const sibling = [base, `${base}_lexical`].find((name) => name !== metric && METRIC_NAMES.includes(name));
  return sibling && !isJudged(sibling) ? sibling : null;
}

/**
 * With no server configured, the embedded platform scores with the judge this command's own
 * environment configures (EVALVAULT_JUDGE_*). Without one, LLM-judged metrics would score no
 * case and decide no rule, so the run is refused before the platform starts, saying how to set it.
 */
export function requireEmbeddedJudge(
  metrics: readonly string[],
  env: Environment,
  plugins: PluginMetricKinds = new Map(),
): void {
  const judged = metrics.filter((metric) => isJudged(metric, plugins));
  const provider = env['EVALVAULT_JUDGE_PROVIDER'];
  if (judged.length === 0 || (provider && provider !== 'none')) return;
  const siblings = judged.map(deterministicSibling).filter((name): name is string => name !== null);
  const instead = siblings.length > 0 ? ` (e.g. ${siblings.join(', ')})` : '';
  throw new CliError(
    'config',
    `${judged.join(', ')} ${judged.length === 1 ? 'is' : 'are'} scored by an LLM judge and none is configured: ` +
      'set EVALVAULT_JUDGE_PROVIDER in this environment, e.g. export EVALVAULT_JUDGE_PROVIDER=openai ' +
      'EVALVAULT_JUDGE_MODEL=gpt-4o-mini EVALVAULT_JUDGE_API_KEY_REF=env:OPENAI_API_KEY ' +
      'EVALVAULT_EGRESS_ALLOW=api.openai.com (the embedded platform ' +
      `reads them from it; see docs/services/runs.md), or choose deterministic metrics${instead}`,
  );
}
