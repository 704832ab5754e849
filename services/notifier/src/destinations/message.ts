import type { GateRuleResult, NotificationIntendedPayload, VersionRef } from '@evalvault/contracts';

/**
 * What every destination says about one notification, whatever its format: what happened,
 * where to look (the run's link), which rules failed with their actual values and
 * thresholds, and on which dataset, prompt and model versions.
 */
export interface NotificationMessage {
  title: string;
  summary: string;
  triggerType: string;
  action: 'trigger' | 'resolve';
  severity: string;
  projectId: string;
  runId: string;
  runUrl: string;
  gateId: string | null;
  occurredAt: number;
  facts: { name: string; value: string }[];
  failingRules: string[];
  failure: { reason: string; message: string } | null;
}

export function versionLabel(ref: VersionRef | null | undefined): string {
  if (!ref) return 'none';
  const name = ref.name ?? ref.id;
  if (ref.version === null) return `${name} (inline, ${ref.contentHash.slice(0, 12)})`;
  return ref.name ? `${name} v${ref.version} (${ref.id})` : `${name} v${ref.version}`;
}

const formatNumber = (value: number | null): string =>
  value === null ? 'no scores' : Number(value.toFixed(4)).toString();

/** "mean(faithfulness) >= 0.8: actual 0.5, threshold 0.8". */
export function ruleLine(rule: GateRuleResult): string {
  return `${rule.rule}: actual ${formatNumber(rule.actual)}, threshold ${formatNumber(rule.threshold)}`;
}

function titleOf(intent: NotificationIntendedPayload, dataset: string, projectId: string): string {
  const metric = intent.failureReason?.replace(/^drift:/, '') ?? 'a metric';
  if (intent.triggerType === 'DriftResolved')
    return `EvalVault drift resolved (${metric}): ${dataset} in project ${projectId}`;
  if (intent.action === 'resolve') return `EvalVault gate passed again: ${dataset} in project ${projectId}`;
  switch (intent.triggerType) {
    case 'DriftDetected':
      return `EvalVault quality drift (${metric}): ${dataset} in project ${projectId}`;
    case 'GateFailed':
      return `EvalVault gate failed: ${dataset} in project ${projectId}`;
    case 'GatePassed':
      return `EvalVault gate passed: ${dataset} in project ${projectId}`;
    default:
      return `EvalVault run failed (${intent.failureReason ?? 'unknown'}): ${dataset} in project ${projectId}`;
  }
}

export function messageOf(intent: NotificationIntendedPayload, projectId: string): NotificationMessage {
  const subject = intent.subject;
  const dataset = subject ? versionLabel(subject.dataset) : 'unknown dataset';
  const failing = intent.rules.filter((rule) => !rule.passed);
  const failure = intent.failureReason ? { reason: intent.failureReason, message: intent.failureMessage ?? '' } : null;
  const drift = intent.triggerType === 'DriftDetected' || intent.triggerType === 'DriftResolved';
  const summary = failure
    ? drift
      ? `Scheduled run ${intent.runId}: ${failure.message}`
      : `Run ${intent.runId} failed: ${failure.message || failure.reason}`
    : `${failing.length} of ${intent.rules.length} gate rule(s) failed on run ${intent.runId}`;
  return {
    title: titleOf(intent, dataset, projectId),
    summary:
      intent.triggerType === 'GatePassed'
        ? `All ${intent.rules.length} gate rule(s) passed on run ${intent.runId}`
        : summary,
    triggerType: intent.triggerType,
    action: intent.action === 'resolve' ? 'resolve' : 'trigger',
    severity: intent.severity,
    projectId,
    runId: intent.runId,
    runUrl: intent.runUrl,
    gateId: intent.gateId,
    occurredAt: intent.triggerOccurredAt,
    facts: [
      { name: 'Project', value: projectId },
      { name: 'Run', value: intent.runId },
      { name: 'Dataset', value: dataset },
      { name: 'Prompt', value: versionLabel(subject?.prompt) },
      { name: 'Model profile', value: versionLabel(subject?.modelProfile) },
      ...(subject ? [{ name: 'Config hash', value: subject.configHash.slice(0, 16) }] : []),
    ],
    failingRules: failing.map(ruleLine),
    failure,
  };
}

/** Cut to a vendor's length limit without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${Array.from(text)
    .slice(0, max - 1)
    .join('')}…`.slice(0, max);
}
