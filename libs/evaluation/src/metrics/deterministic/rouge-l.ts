import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { rougeTokens, type RougeTokenOptions } from '../text/rouge-tokens.js';

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
 * ROUGE-L as Google's rouge-score computes it (RougeScorer(['rougeL']), _score_lcs): its tokens
 * (rougeTokens: lowercase, non-alphanumerics to spaces, optional Porter stemming), P = LCS / answer
 * length, R = LCS / ground-truth length, F = 2PR / (P + R). An empty side scores 0, as there.
 */
export function rougeL(answer: string, groundTruth: string, options: RougeTokenOptions = {}): RougeL {
  const predicted = rougeTokens(answer, options);
  const expected = rougeTokens(groundTruth, options);
  const sizes = { answerTokens: predicted.length, groundTruthTokens: expected.length };
  if (predicted.length === 0 || expected.length === 0) return { f: 0, precision: 0, recall: 0, lcs: 0, ...sizes };
  const lcs = longestCommonSubsequence(expected, predicted);
  const precision = lcs / predicted.length;
  const recall = lcs / expected.length;
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { f, precision, recall, lcs, ...sizes };
}

export const rougeLMetric = defineMetric({
  name: 'rouge_l',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description:
    "ROUGE-L F-measure (longest common subsequence) between answer and ground truth, as rouge-score's rougeL.",
  compute(context) {
    const result = rougeL(context.testCase.answer, context.groundTruth());
    return { score: result.f, explanation: explainRougeL(result) };
  },
});

export const rougeLStemmedMetric = defineMetric({
  name: 'rouge_l_stemmed',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: "ROUGE-L F-measure over Porter-stemmed tokens, as rouge-score's rougeL with use_stemmer=True.",
  compute(context) {
    const result = rougeL(context.testCase.answer, context.groundTruth(), { stem: true });
    return { score: result.f, explanation: explainRougeL(result) };
  },
});

function explainRougeL(result: RougeL): string {
  if (result.answerTokens === 0 || result.groundTruthTokens === 0) {
    const empty = result.answerTokens === 0 ? 'the answer has' : 'the ground truth has';
    return `ROUGE-L 0.00: ${empty} no alphanumeric tokens (rouge-score scores an empty side 0)`;
  }
  return (
    `ROUGE-L ${fmt(result.f)}: longest common subsequence of ${result.lcs} tokens ` +
    `(precision ${fmt(result.precision)} of ${result.answerTokens} answer tokens, ` +
    `recall ${fmt(result.recall)} of ${result.groundTruthTokens} ground-truth tokens)`
  );
}
