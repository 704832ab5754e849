import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { clippedOverlap, countItems, ngrams } from '../text/ngrams.js';
import { squadTokens } from '../text/squad-normalise.js';

const MAX_ORDER = 4;

export interface Bleu {
  bleu: number;
  /** Modified n-gram precisions p1..p4, p2..p4 smoothed; empty when p1 has no match (BLEU 0). */
  precisions: number[];
  brevityPenalty: number;
  answerTokens: number;
  groundTruthTokens: number;
}

/**
 * Sentence BLEU-4 of the answer against the ground truth (one reference) as NLTK computes it:
 * nltk.translate.bleu_score.sentence_bleu with uniform weights and SmoothingFunction().method2
 * (Lin & Och 2004, add one to the matches and to the n-gram count of orders 2 to 4; unigrams raw),
 * over the SQuAD-normalised tokens of both texts. As in NLTK an n-gram count of 0 counts as 1
 * (so an order longer than the answer has precision 1/2 after smoothing), no unigram match scores 0
 * (so does an empty side), and the brevity penalty is exp(1 - r / c) unless the answer is longer.
 */
export function bleu(answer: string, groundTruth: string): Bleu {
  const candidate = squadTokens(answer);
  const reference = squadTokens(groundTruth);
  const sizes = { answerTokens: candidate.length, groundTruthTokens: reference.length };
  const brevityPenalty = brevity(reference.length, candidate.length);
  const counts = [1, 2, 3, 4].map((order) => modifiedPrecision(candidate, reference, order));
  if (counts[0]!.matches === 0) return { bleu: 0, precisions: [], brevityPenalty, ...sizes };
  const precisions = counts.map(({ matches, total }, index) =>
    index === 0 ? matches / total : (matches + 1) / (total + 1),
  );
  const logSum = precisions.reduce((sum, precision) => sum + Math.log(precision) / MAX_ORDER, 0);
  return { bleu: brevityPenalty * Math.exp(logSum), precisions, brevityPenalty, ...sizes };
}

/** Clipped n-gram matches over the answer's n-gram count, at least 1 (NLTK's modified_precision). */
function modifiedPrecision(
  candidate: readonly string[],
  reference: readonly string[],
  order: number,
): { matches: number; total: number } {
  const candidateGrams = ngrams(candidate, order);
  const matches = clippedOverlap(countItems(candidateGrams), countItems(ngrams(reference, order)));
  return { matches, total: Math.max(1, candidateGrams.length) };
}

function brevity(referenceLength: number, candidateLength: number): number {
  if (candidateLength > referenceLength) return 1;
  if (candidateLength === 0) return 0;
  return Math.exp(1 - referenceLength / candidateLength);
}

export const bleuMetric = defineMetric({
  name: 'bleu',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description:
    "Sentence BLEU-4 of the answer against the ground truth, as NLTK's sentence_bleu with smoothing method2.",
  compute(context) {
    const result = bleu(context.testCase.answer, context.groundTruth());
    return { score: result.bleu, explanation: explainBleu(result) };
  },
});

function explainBleu(result: Bleu): string {
  if (result.precisions.length === 0) {
    if (result.answerTokens === 0) return 'BLEU 0.00: the answer is empty after normalisation';
    if (result.groundTruthTokens === 0) return 'BLEU 0.00: the ground truth is empty after normalisation';
    return 'BLEU 0.00: no answer word is in the ground truth';
  }
  const precisions = result.precisions.map((precision, index) => `p${index + 1} ${fmt(precision)}`).join(', ');
  return (
    `BLEU ${fmt(result.bleu)}: ${precisions}; brevity penalty ${fmt(result.brevityPenalty)} ` +
    `(${result.answerTokens} answer vs ${result.groundTruthTokens} ground-truth tokens)`
  );
}
