import { answerRelevancyMetric } from './deterministic/answer-relevancy.js';
import { bleuMetric } from './deterministic/bleu.js';
import { contextPrecisionMetric } from './deterministic/context-precision.js';
import { contextRecallMetric } from './deterministic/context-recall.js';
import { exactMatchMetric } from './deterministic/exact-match.js';
import { faithfulnessLexicalMetric } from './deterministic/faithfulness-lexical.js';
import { rougeLMetric, rougeLStemmedMetric } from './deterministic/rouge-l.js';
import { semanticSimilarityMetric } from './deterministic/semantic-similarity.js';
import { tokenF1Metric } from './deterministic/token-f1.js';
import { answerRelevancyLlmMetric } from './llm/answer-relevancy-llm.js';
import { contextPrecisionLlmMetric } from './llm/context-precision-llm.js';
import { contextRecallLlmMetric } from './llm/context-recall-llm.js';
import { factualCorrectnessMetric } from './llm/factual-correctness.js';
import { faithfulnessMetric } from './llm/faithfulness.js';
import { rubricMetric } from './llm/rubric.js';
import type { Metric } from './metric.js';
import { MetricError } from './metric-error.js';

const ALL_METRICS: readonly Metric[] = [
  exactMatchMetric,
  tokenF1Metric,
  rougeLMetric,
  rougeLStemmedMetric,
  bleuMetric,
  contextRecallMetric,
  contextPrecisionMetric,
  faithfulnessLexicalMetric,
  answerRelevancyMetric,
  semanticSimilarityMetric,
  faithfulnessMetric,
  answerRelevancyLlmMetric,
  contextPrecisionLlmMetric,
  contextRecallLlmMetric,
  factualCorrectnessMetric,
  rubricMetric,
];

/** Every metric, by name. */
export const METRICS: Readonly<Record<string, Metric>> = Object.freeze(
  Object.fromEntries(ALL_METRICS.map((metric) => [metric.name, metric])),
);

export const METRIC_NAMES: readonly string[] = Object.freeze(ALL_METRICS.map((metric) => metric.name).sort());

/** The metric of that name; an unknown name is an UNKNOWN_METRIC error listing the known ones. */
export function metricByName(name: string): Metric {
  // Own properties only: "toString" or "__proto__" must not resolve to something that is not a metric.
  const metric = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
  if (metric === undefined) {
    throw new MetricError(
      'UNKNOWN_METRIC',
      name,
      `Unknown metric ${JSON.stringify(name)}; known metrics: ${METRIC_NAMES.join(', ')}`,
    );
  }
  return metric;
}
