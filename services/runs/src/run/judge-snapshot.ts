import type { JudgeSnapshot } from '@evalvault/contracts';
import { JUDGE_PROVIDERS, type JudgeConfig } from '../config.js';
import { BUILT_IN_METRICS, type MetricCatalog } from '../plugins/metric-catalog.js';
import { RunError, RunErrorCode } from './run.errors.js';

/**
 * The judge as a run pins it: provider, model and what else shapes its answers (the endpoint,
 * and the temperature LlmJudgeClient asks for by default, which the judge factory keeps). Never
 * the key or its reference: a rotated key judges the same way. Null without a judge.
 */
export function judgeSnapshotOf(config: JudgeConfig): JudgeSnapshot | null {
  if (config.provider === 'none' || !config.model) return null;
  const parameters = { baseUrl: config.baseUrl, temperature: 0 };
  return { provider: config.provider, model: config.model, parametersJson: JSON.stringify(parameters) };
}

/** Only runs with an LLM-judged metric depend on the judge: a deterministic run's hash stays what it was. */
export function judgeOfRun(
  metrics: readonly string[],
  judge: JudgeSnapshot | null,
  catalog: MetricCatalog = BUILT_IN_METRICS,
): JudgeSnapshot | null {
  return metrics.some((name) => catalog.byName(name).kind === 'llm') ? judge : null;
}

/**
 * LLM-judged metrics on a service without a judge would score no case and decide no rule: the run
 * is refused at submission (and at a retry), naming the metrics and what would configure a judge.
 */
export function requireJudgeFor(
  metrics: readonly string[],
  judge: JudgeSnapshot | null,
  catalog: MetricCatalog = BUILT_IN_METRICS,
): void {
  const judged = metrics.filter((name) => catalog.byName(name).kind === 'llm');
  if (judged.length === 0 || judge) return;
  const providers = JUDGE_PROVIDERS.filter((provider) => provider !== 'none').join(', ');
  throw new RunError(
    RunErrorCode.JudgeNotConfigured,
    `${judged.join(', ')} ${judged.length === 1 ? 'is' : 'are'} scored by an LLM judge and none is configured: ` +
      `set EVALVAULT_JUDGE_PROVIDER (${providers}) with EVALVAULT_JUDGE_MODEL and EVALVAULT_JUDGE_API_KEY_REF ` +
      'where the runs service runs, or choose deterministic metrics',
  );
}
