/**
 * Ragas' rank-weighted context precision (average precision over the relevant positions):
 *   sum over ranks k of (precision@k × relevant_k) / number of relevant contexts,
 * where precision@k is the share of relevant contexts among the first k. Relevant contexts ranked
 * above irrelevant ones score higher; no relevant context at all scores 0 (Ragas divides by
 * relevant + 1e-10, which also gives 0).
 */
export function averagePrecision(relevant: readonly boolean[]): number {
  let relevantSoFar = 0;
  let sum = 0;
  relevant.forEach((isRelevant, index) => {
    if (!isRelevant) return;
    relevantSoFar += 1;
    sum += relevantSoFar / (index + 1);
  });
  return relevantSoFar === 0 ? 0 : sum / relevantSoFar;
}

/** "relevant at ranks 1, 3 of 4", for explanations. */
export function describeRelevantRanks(relevant: readonly boolean[]): string {
  const ranks = relevant.flatMap((isRelevant, index) => (isRelevant ? [index + 1] : []));
  if (ranks.length === 0) return `none of ${relevant.length} contexts relevant`;
  return `relevant at rank${ranks.length === 1 ? '' : 's'} ${ranks.join(', ')} of ${relevant.length}`;
}
