import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { clippedOverlap, countItems } from '../text/ngrams.js';
import { squadTokens } from '../text/squad-normalise.js';

export interface TokenF1 {
  f1: number;
  precision: number;
  recall: number;
  /** Tokens shared, counting repeats as often as they occur on both sides. */
  common: number;
  answerTokens: number;
  groundTruthTokens: number;
}

/**
 * SQuAD token F1 (compute_f1 of the official evaluate-v2.0.py) over its normalised tokens (bags, so
 * repeats count). As in the script, when
 * either side has no tokens the score is 1 if both are empty (a correct "no answer") and 0 otherwise.
 */
export function tokenF1(answer: string, groundTruth: string): TokenF1 {
  const predicted = squadTokens(answer);
  const expected = squadTokens(groundTruth);
  const sizes = { answerTokens: predicted.length, groundTruthTokens: expected.length };
  if (predicted.length === 0 || expected.length === 0) {
    const value = predicted.length === expected.length ? 1 : 0;
    return { f1: value, precision: value, recall: value, common: 0, ...sizes };
  }
  const common = clippedOverlap(countItems(predicted), countItems(expected));
  if (common === 0) return { f1: 0, precision: 0, recall: 0, common, ...sizes };
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return { f1: (2 * precision * recall) / (precision + recall), precision, recall, common, ...sizes };
}

export const tokenF1Metric = defineMetric({
  name: 'token_f1',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'SQuAD token F1 between answer and ground truth (normalised bags of tokens).',
  compute(context) {
    const result = tokenF1(context.testCase.answer, context.groundTruth());
    return { score: result.f1, explanation: explainTokenF1(result) };
  },
});

function explainTokenF1(result: TokenF1): string {
  if (result.answerTokens === 0 && result.groundTruthTokens === 0) {
    return 'F1 1.00: answer and ground truth are both empty after normalisation (SQuAD 2.0 counts this as correct)';
  }
  if (result.answerTokens === 0)
    return `F1 0.00: the answer is empty after normalisation; the ground truth has ${result.groundTruthTokens} tokens`;
  if (result.groundTruthTokens === 0)
    return `F1 0.00: the ground truth is empty after normalisation; the answer has ${result.answerTokens} tokens`;
  return (
    `F1 ${fmt(result.f1)}: ${result.common} of ${result.answerTokens} answer tokens in ground truth ` +
    `(precision ${fmt(result.precision)}, ` +
    `recall ${fmt(result.recall)} of ${result.groundTruthTokens} ground-truth tokens)`
  );
}
