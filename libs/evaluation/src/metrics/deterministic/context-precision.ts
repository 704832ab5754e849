import { averagePrecision, describeRelevantRanks } from '../average-precision.js';
import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { contentTokens } from '../text/content-tokens.js';

/** A context is relevant when its overlap coefficient with the reference reaches this. */
export const RELEVANT_CONTEXT_OVERLAP = 0.5;

/**
 * Overlap coefficient of two texts' distinct content tokens: |A ∩ B| / min(|A|, |B|). Dividing by
 * the smaller set means a long context containing the whole short answer counts as relevant, and so
 * does a short context that covers one part of a long ground truth.
 */
export function overlapCoefficient(left: readonly string[], right: readonly string[]): number {
  const leftSet = new Set(left);
  const rightSet = new Set(right);
  const smaller = Math.min(leftSet.size, rightSet.size);
  if (smaller === 0) return 0;
  let shared = 0;
  for (const token of leftSet) if (rightSet.has(token)) shared += 1;
  return shared / smaller;
}

/** Relevance of each context, in retrieval order, judged lexically against the reference text. */
export function lexicalContextRelevance(reference: string, contexts: readonly string[]): boolean[] {
  const referenceTokens = contentTokens(reference);
  return contexts.map((text) => overlapCoefficient(contentTokens(text), referenceTokens) >= RELEVANT_CONTEXT_OVERLAP);
}

export const contextPrecisionMetric = defineMetric({
  name: 'context_precision',
  kind: 'deterministic',
  requires: ['contexts'],
  description:
    'Rank-weighted share of contexts that share content words with the ground truth ' +
    '(or the answer when there is none).',
  compute(context) {
    // Like Ragas' "without reference" variant, fall back to the answer when there is no ground truth.
    const { groundTruth, answer } = context.testCase;
    const [reference, label] =
      groundTruth === null || groundTruth === undefined ? [answer, 'answer'] : [groundTruth, 'ground truth'];
    const relevant = lexicalContextRelevance(reference, context.contexts());
    const score = averagePrecision(relevant);
    return {
      score,
      explanation:
        `Context precision ${fmt(score)}: ${describeRelevantRanks(relevant)} ` +
        `(overlap with the ${label} >= ${RELEVANT_CONTEXT_OVERLAP})`,
    };
  },
});
