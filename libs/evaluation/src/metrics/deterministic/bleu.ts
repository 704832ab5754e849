import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { clippedOverlap, countItems, ngrams } from '../text/ngrams.js';
import { answerTokens } from '../text/normalise.js';

const MAX_ORDER = 4;

export interface Bleu {
  bleu: number;
  /** Modified n-gram precisions p1..p4, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
  answerTokens: number;
  groundTruthTokens: number;
}

/**
 * Sentence BLEU-4 of the answer against the ground truth (one reference), uniform weights 1/4,
 * over SQuAD-normalised tokens. Smoothing: Lin & Och (2004) "BLEU+1": for n >= 2 add 1 to both
 * the clipped matches and the n-gram count (NLTK's SmoothingFunction().method2); unigram precision
 * is left raw, so an answer sharing no word with the ground truth still scores 0. Without
 * smoothing any short answer lacking a shared 4-gram would score 0 too.
 * Brevity penalty: 1 when the answer is longer than the ground truth, else exp(1 - r / c).
 */
export function bleu(answer: string, groundTruth: string): Bleu {
  const candidate = answerTokens(answer);
  const reference = answerTokens(groundTruth);
  const sizes = { answerTokens: candidate.length, groundTruthTokens: reference.length };
  if (candidate.length === 0 || reference.length === 0) {
    const value = candidate.length === reference.length ? 1 : 0;
    return { bleu: value, precisions: [], brevityPenalty: value, ...sizes };
  }
  const precisions = [1, 2, 3, 4].map((order) => smoothedPrecision(candidate, reference, order));
  const brevityPenalty = candidate.length > reference.length ? 1 : Math.exp(1 - reference.length / candidate.length);
  if (precisions.some((precision) => precision === 0)) return { bleu: 0, precisions, brevityPenalty, ...sizes };
  const meanLog = precisions.reduce((sum, precision) => sum + Math.log(precision), 0) / MAX_ORDER;
  return { bleu: brevityPenalty * Math.exp(meanLog), precisions, brevityPenalty, ...sizes };
}

function smoothedPrecision(candidate: readonly string[], reference: readonly string[], order: number): number {
  const candidateGrams = ngrams(candidate, order);
  const matches = clippedOverlap(countItems(candidateGrams), countItems(ngrams(reference, order)));
  if (order === 1) return matches / candidateGrams.length;
  return (matches + 1) / (candidateGrams.length + 1);
}

export const bleuMetric = defineMetric({
  name: 'bleu',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'Sentence BLEU-4 (add-one smoothing for 2- to 4-grams) of the answer against the ground truth.',
  compute(context) {
    const result = bleu(context.testCase.answer, context.groundTruth());
    return { score: result.bleu, explanation: explainBleu(result) };
  },
});

function explainBleu(result: Bleu): string {
  if (result.precisions.length === 0) {
    return result.bleu === 1
      ? 'BLEU 1.00: answer and ground truth are both empty after normalisation'
      : `BLEU 0.00: ${result.answerTokens === 0 ? 'the answer' : 'the ground truth'} is empty after normalisation`;
  }
  const precisions = result.precisions.map((precision, index) => `p${index + 1} ${fmt(precision)}`).join(', ');
  return (
    `BLEU ${fmt(result.bleu)}: ${precisions}; brevity penalty ${fmt(result.brevityPenalty)} ` +
    `(${result.answerTokens} answer vs ${result.groundTruthTokens} ground-truth tokens)`
  );
}
