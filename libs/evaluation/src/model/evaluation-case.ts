/** One case of a dataset, as the evaluation domain sees it. */
export interface EvaluationCase {
  id: string;
  question: string;
  answer: string;
  contexts: string[];
  groundTruth: string | null;
  metadata?: Record<string, unknown>;
}

/** A metric's verdict on one case: a score in [0, 1] and why. */
export interface MetricResult {
  score: number;
  explanation: string;
}
