/**
 * How many single-character edits turn one word into the other: insertions, deletions,
 * substitutions and swaps of two neighbours (the optimal string alignment distance).
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate a slip of the keyboard most likely meant: the nearest one, when it is within two
 * edits (a third of the word for longer ones) and no other candidate is as near. Null otherwise.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | null {
  const limit = Math.max(2, Math.floor(typed.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  let tied = false;
  for (const candidate of candidates) {
    const distance = editDistance(typed.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance, tied] = [candidate, distance, false];
    else if (distance === bestDistance) tied = true;
  }
  return best !== null && bestDistance > 0 && bestDistance <= limit && !tied ? best : null;
}

/** ` (did you mean X?)` for a near miss, else nothing: appended to an "unknown …" message. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const match = closestMatch(typed, candidates);
  return match ? ` (did you mean ${match}?)` : '';
}
