import type { JudgeSnapshot, ProjectPolicy } from '@evalvault/contracts';
import { RunError, RunErrorCode } from './run.errors.js';

/** What a run uses that its project's policy may limit. */
export interface RunUses {
  metrics: readonly string[];
  /** The judge the run pins; null when every metric is deterministic (no model is called). */
  judge: JudgeSnapshot | null;
  /** The pinned model profile's `provider:model`; null without one. */
  modelProfileModel: string | null;
}

/** Does an entry `provider:model` or `provider:*` allow this `provider:model`? */
export function modelAllowed(entries: readonly string[], model: string): boolean {
  const provider = model.slice(0, model.indexOf(':'));
  return entries.some((entry) => entry === model || entry === `${provider}:*`);
}

const listed = (entries: readonly string[]): string => (entries.length > 0 ? entries.join(', ') : 'none');

/**
 * Why the project's policy refuses what a run uses, naming the policy's field and the offending
 * value, or null when it allows all of it (or there is no policy). Caps are not checked here:
 * they limit spending, which the workers watch while the run goes on.
 */
export function policyViolation(policy: ProjectPolicy | null, uses: RunUses): string | null {
  if (!policy) return null;
  const named = `project policy (revision ${policy.revision})`;
  const { allowedMetrics, allowedModels } = policy;
  if (allowedMetrics) {
    const refused = uses.metrics.filter((metric) => !allowedMetrics.includes(metric));
    if (refused.length > 0) {
      const allowed = listed(allowedMetrics);
      return `${named}: allowedMetrics does not allow metric ${refused.join(', ')} (allowed: ${allowed})`;
    }
  }
  if (allowedModels) {
    const models: [string, string][] = [];
    if (uses.judge) models.push(['the judge', `${uses.judge.provider}:${uses.judge.model}`]);
    if (uses.modelProfileModel) models.push(['the model profile', uses.modelProfileModel]);
    const refused = models.find(([, model]) => !modelAllowed(allowedModels, model));
    if (refused) {
      const [who, model] = refused;
      return `${named}: allowedModels does not allow ${who}'s model ${model} (allowed: ${listed(allowedModels)})`;
    }
  }
  return null;
}

/** What the project has spent on LLM calls, as its caps count it (UTC day and month). */
export interface SpendToDate {
  day: string;
  todayUsd: number;
  monthUsd: number;
}

const usd = (amount: number): string => String(Number(amount.toFixed(6)));

/**
 * Why a run with LLM-judged metrics cannot start now: a cap of the policy is already spent,
 * named with its value and the spend; null when neither is (or there is no policy).
 */
export function capReached(policy: ProjectPolicy | null, spend: SpendToDate): string | null {
  if (!policy) return null;
  const named = `project policy (revision ${policy.revision})`;
  const { dailyCapUsd, monthlyCapUsd } = policy;
  if (dailyCapUsd !== null && spend.todayUsd >= dailyCapUsd)
    return `${named}: dailyCapUsd ${dailyCapUsd} is spent (${usd(spend.todayUsd)} USD on ${spend.day} UTC)`;
  if (monthlyCapUsd !== null && spend.monthUsd >= monthlyCapUsd)
    return `${named}: monthlyCapUsd ${monthlyCapUsd} is spent (${usd(spend.monthUsd)} USD in ${spend.day.slice(0, 7)})`;
  return null;
}

/** Refuses (POLICY_VIOLATION) a run its project's policy does not allow. */
export function assertAllowedByPolicy(policy: ProjectPolicy | null, uses: RunUses): void {
  const violation = policyViolation(policy, uses);
  if (violation) throw new RunError(RunErrorCode.PolicyViolation, violation);
}
