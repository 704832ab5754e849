/** The n-grams of a token list, each joined by a space (tokens never contain one). */
export function ngrams(tokens: readonly string[], n: number): string[] {
  const grams: string[] = [];
  for (let start = 0; start + n <= tokens.length; start += 1) {
    grams.push(tokens.slice(start, start + n).join(' '));
  }
  return grams;
}

/** A bag (multiset): how often each item occurs. */
export function countItems(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Size of the multiset intersection: each item counts as often as it occurs in both bags. */
export function clippedOverlap(candidate: ReadonlyMap<string, number>, reference: ReadonlyMap<string, number>): number {
  let overlap = 0;
  for (const [item, count] of candidate) overlap += Math.min(count, reference.get(item) ?? 0);
  return overlap;
}
