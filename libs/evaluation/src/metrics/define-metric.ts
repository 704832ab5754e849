import type { EvaluationCase, MetricResult } from '../model/evaluation-case.js';
import type { Metric, MetricContext, MetricDeps, MetricKind, MetricOptions, MetricRequirement } from './metric.js';
import { MetricError, missingContexts, missingGroundTruth, missingJudge } from './metric-error.js';
import { loadWinkWordVectors } from './vectors/wink-word-vectors.js';

export interface MetricDefinition {
  name: string;
  kind: MetricKind;
  requires: readonly MetricRequirement[];
  description: string;
  compute(context: MetricContext): MetricResult | Promise<MetricResult>;
}

/**
 * Turns a computation into a Metric that checks the case's requirements before any work (so an LLM
 * metric fails before spending a judge call) and never lets a score outside [0, 1] or NaN through.
 */
export function defineMetric(definition: MetricDefinition): Metric {
  const { name, kind, requires, description, compute } = definition;
  return Object.freeze({
    name,
    kind,
    requires: Object.freeze([...requires]),
    description,
    async score(testCase: EvaluationCase, deps: MetricDeps = {}, options: MetricOptions = {}): Promise<MetricResult> {
      const context = createMetricContext(name, testCase, deps, options);
      if (requires.includes('groundTruth')) context.groundTruth();
      if (requires.includes('contexts')) context.contexts();
      if (kind === 'llm') context.judge();
      const result = await compute(context);
      return { score: unitScore(name, testCase.id, result.score), explanation: result.explanation };
    },
  });
}

function createMetricContext(
  metric: string,
  testCase: EvaluationCase,
  deps: MetricDeps,
  options: MetricOptions,
): MetricContext {
  return {
    metric,
    testCase,
    options,
    groundTruth() {
      // undefined too: cases can arrive from JSON where the field was simply left out.
      if (testCase.groundTruth === null || testCase.groundTruth === undefined)
        throw missingGroundTruth(metric, testCase.id);
      return testCase.groundTruth;
    },
    contexts() {
      if (!Array.isArray(testCase.contexts) || testCase.contexts.length === 0)
        throw missingContexts(metric, testCase.id);
      return testCase.contexts;
    },
    judge() {
      if (deps.judge === undefined) throw missingJudge(metric, testCase.id);
      return deps.judge;
    },
    wordVectors() {
      return deps.wordVectors !== undefined ? Promise.resolve(deps.wordVectors) : loadWinkWordVectors();
    },
  };
}

/** Clamps rounding drift (1.0000000002) into [0, 1]; a NaN is a bug in the formula, reported loudly. */
function unitScore(metric: string, caseId: string, score: number): number {
  if (!Number.isFinite(score)) {
    throw new MetricError(
      'INVALID_SCORE',
      metric,
      `Metric "${metric}" computed a non-finite score (${score}) for case "${caseId}"`,
      { caseId },
    );
  }
  return Math.min(1, Math.max(0, score));
}
