/**
 * Why a metric could not score a case. The code is stable and machine-readable, so the caller can
 * record a CaseFailed with it; the message names the metric, the case and what is wrong.
 */
export type MetricErrorCode =
  | 'UNKNOWN_METRIC'
  | 'MISSING_GROUND_TRUTH'
  | 'MISSING_CONTEXTS'
  | 'MISSING_JUDGE'
  | 'INVALID_OPTIONS'
  | 'JUDGE_BAD_OUTPUT'
  | 'INVALID_SCORE';

export interface MetricErrorDetails {
  caseId?: string;
  /** The judge request's purpose, for JUDGE_BAD_OUTPUT. */
  purpose?: string;
}

export class MetricError extends Error {
  override readonly name = 'MetricError';

  constructor(
    readonly code: MetricErrorCode,
    readonly metric: string,
    message: string,
    readonly details: MetricErrorDetails = {},
  ) {
    super(`${message} [${code}]`);
  }
}

export function missingGroundTruth(metric: string, caseId: string, why = 'has none'): MetricError {
  return new MetricError(
    'MISSING_GROUND_TRUTH',
    metric,
    `Metric "${metric}" needs a ground truth, but case "${caseId}" ${why}`,
    { caseId },
  );
}

export function missingContexts(metric: string, caseId: string): MetricError {
  return new MetricError(
    'MISSING_CONTEXTS',
    metric,
    `Metric "${metric}" needs retrieved contexts, but case "${caseId}" has none`,
    { caseId },
  );
}

export function missingJudge(metric: string, caseId: string): MetricError {
  return new MetricError(
    'MISSING_JUDGE',
    metric,
    `Metric "${metric}" is judged by an LLM, but no judge was given to score case "${caseId}"`,
    { caseId },
  );
}

export function invalidOptions(metric: string, caseId: string, why: string): MetricError {
  return new MetricError('INVALID_OPTIONS', metric, `Metric "${metric}" has invalid options: ${why}`, { caseId });
}

/** The judge answered, but not with what the prompt asked for; never turned into a silent 0. */
export function judgeBadOutput(
  metric: string,
  caseId: string,
  purpose: string,
  why: string,
  output: string,
): MetricError {
  const excerpt = output.length > 200 ? `${output.slice(0, 200)}…` : output;
  return new MetricError(
    'JUDGE_BAD_OUTPUT',
    metric,
    `Metric "${metric}": the judge's answer to "${purpose}" for case "${caseId}" is unusable (${why}); ` +
      `it began: ${JSON.stringify(excerpt)}`,
    { caseId, purpose },
  );
}
