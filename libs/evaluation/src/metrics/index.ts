// Public API of the metrics area; re-exported from ../index.ts.
export type { Metric, MetricContext, MetricDeps, MetricKind, MetricOptions, MetricRequirement } from './metric.js';
export { MetricError } from './metric-error.js';
export type { MetricErrorCode, MetricErrorDetails } from './metric-error.js';
export { defineMetric } from './define-metric.js';
export type { MetricDefinition } from './define-metric.js';
export { METRICS, METRIC_NAMES, metricByName } from './registry.js';

export { exactMatch, exactMatchMetric } from './deterministic/exact-match.js';
export { tokenF1, tokenF1Metric } from './deterministic/token-f1.js';
export type { TokenF1 } from './deterministic/token-f1.js';
export { rougeL, rougeLMetric, rougeLStemmedMetric, longestCommonSubsequence } from './deterministic/rouge-l.js';
export type { RougeL } from './deterministic/rouge-l.js';
export { bleu, bleuMetric } from './deterministic/bleu.js';
export type { Bleu } from './deterministic/bleu.js';
export {
  contextRecallMetric,
  lexicalContextRecall,
  RECALLED_SENTENCE_COVERAGE,
} from './deterministic/context-recall.js';
export {
  contextPrecisionMetric,
  lexicalContextRelevance,
  overlapCoefficient,
  RELEVANT_CONTEXT_OVERLAP,
} from './deterministic/context-precision.js';
export {
  faithfulnessLexicalMetric,
  lexicalSentenceSupport,
  SUPPORTED_SENTENCE_COVERAGE,
} from './deterministic/faithfulness-lexical.js';
export { answerRelevancyMetric } from './deterministic/answer-relevancy.js';
export { semanticSimilarityMetric } from './deterministic/semantic-similarity.js';
export { averagePrecision } from './average-precision.js';

export { faithfulnessMetric } from './llm/faithfulness.js';
export { answerRelevancyLlmMetric, GENERATED_QUESTIONS } from './llm/answer-relevancy-llm.js';
export { contextPrecisionLlmMetric } from './llm/context-precision-llm.js';
export { contextRecallLlmMetric } from './llm/context-recall-llm.js';
export { factualCorrectnessMetric, factualScores } from './llm/factual-correctness.js';
export type { FactualCorrectnessMode } from './llm/factual-correctness.js';
export { rubricMetric } from './llm/rubric.js';
export { parseJsonObject } from './llm/judge-reply.js';

export { normaliseAnswer, answerTokens } from './text/normalise.js';
export { squadNormalise, squadTokens } from './text/squad-normalise.js';
export { rougeTokens, type RougeTokenOptions } from './text/rouge-tokens.js';
export { porterStem } from './text/porter-stemmer.js';
export { contentTokens } from './text/content-tokens.js';
export { splitSentences } from './text/sentences.js';
export { STOPWORDS } from './text/stopwords.js';
export type { WordVectors } from './vectors/word-vectors.js';
export { cosine, textSimilarity, textVector } from './vectors/word-vectors.js';
export { loadWinkWordVectors } from './vectors/wink-word-vectors.js';
