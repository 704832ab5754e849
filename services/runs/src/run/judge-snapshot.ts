import type { JudgeSnapshot } from '@evalvault/contracts';
import { metricByName } from '@evalvault/evaluation';
import type { JudgeConfig } from '../config.js';

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
export function judgeOfRun(metrics: readonly string[], judge: JudgeSnapshot | null): JudgeSnapshot | null {
  return metrics.some((name) => metricByName(name).kind === 'llm') ? judge : null;
}
