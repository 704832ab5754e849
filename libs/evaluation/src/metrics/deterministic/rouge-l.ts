import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { answerTokens } from '../text/normalise.js';

export interface RougeL {
  f: number;
  precision: number;
  recall: number;
  lcs: number;
  answerTokens: number;
  groundTruthTokens: number;
}

/** Length of the longest common subsequence, by dynamic programming kept to two rows. */
export function longestCommonSubsequence(left: readonly string[], right: readonly string[]): number {
  let previous = new Int32Array(right.length + 1);
  let current = new Int32Array(right.length + 1);
  for (const leftToken of left) {
    for (let j = 1; j <= right.length; j += 1) {
      current[j] =
        leftToken === right[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, current[j - 1] ?? 0);
    }
    [previous, current] = [current, previous];
  }
  return previous[right.length] ?? 0;
}

/**
 * ROUGE-L F-measure with beta = 1 (Lin 2004): P = LCS / answer length, R = LCS / ground-truth
 * length, F = 2PR / (P + R), over SQuAD-normalised tokens. Both empty counts as identical (1).
 */
export function rougeL(answer: string, groundTruth: string): RougeL {
  const predicted = answerTokens(answer);
  const expected = answerTokens(groundTruth);
  const sizes = { answerTokens: predicted.length, groundTruthTokens: expected.length };
  if (predicted.length === 0 || expected.length === 0) {
    const value = predicted.length === expected.length ? 1 : 0;
    return { f: value, precision: value, recall: value, lcs: 0, ...sizes };
  }
  const lcs = longestCommonSubsequence(predicted, expected);
  if (lcs === 0) return { f: 0, precision: 0, recall: 0, lcs, ...sizes };
  const precision = lcs / predicted.length;
  const recall = lcs / expected.length;
  return { f: (2 * precision * recall) / (precision + recall), precision, recall, lcs, ...sizes };
}

export const rougeLMetric = defineMetric({
  name: 'rouge_l',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'ROUGE-L F-measure (longest common subsequence) between answer and ground truth.',
  compute(context) {
    const result = rougeL(context.testCase.answer, context.groundTruth());
    return { score: result.f, explanation: explainRougeL(result) };
  },
});

function explainRougeL(result: RougeL): string {
  if (result.answerTokens === 0 || result.groundTruthTokens === 0) {
    return result.f === 1
      ? 'ROUGE-L 1.00: answer and ground truth are both empty after normalisation'
      : `ROUGE-L 0.00: ${result.answerTokens === 0 ? 'the answer' : 'the ground truth'} is empty after normalisation`;
  }
  return (
    `ROUGE-L ${fmt(result.f)}: longest common subsequence of ${result.lcs} tokens ` +
    `(precision ${fmt(result.precision)} of ${result.answerTokens} answer tokens, recall ${fmt(result.recall)} of ${result.groundTruthTokens} ground-truth tokens)`
  );
}
