import { contentTokens } from '../text/content-tokens.js';

/** A table of word vectors: the only thing the similarity metrics need from an embedding source. */
export interface WordVectors {
  readonly dimensions: number;
  /** The vector of a lowercase word, or undefined when the word is not in the table. */
  vectorOf(word: string): ArrayLike<number> | undefined;
}

export interface TextVector {
  /** Mean of the known words' vectors; null when no word of the text is known. */
  vector: Float64Array | null;
  known: string[];
  unknown: string[];
}

/**
 * A text's vector: the mean of the vectors of its content words (normalised tokens, stopwords
 * removed, see contentTokens). Stopwords are dropped because they are in every sentence and pull
 * all mean vectors towards the same point, which would make unrelated texts look similar.
 */
export function textVector(text: string, vectors: WordVectors): TextVector {
  const sum = new Float64Array(vectors.dimensions);
  const known: string[] = [];
  const unknown: string[] = [];
  for (const word of contentTokens(text)) {
    const vector = vectors.vectorOf(word);
    if (vector === undefined) {
      unknown.push(word);
      continue;
    }
    known.push(word);
    for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] ?? 0) + (vector[i] ?? 0);
  }
  if (known.length === 0) return { vector: null, known, unknown };
  return { vector: sum.map((total) => total / known.length), known, unknown };
}

/** Cosine similarity in [-1, 1]; 0 when either vector is all zeros (no direction to compare). */
export function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let i = 0; i < left.length; i += 1) {
    const a = left[i] ?? 0;
    const b = right[i] ?? 0;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  if (leftNorm === 0 || rightNorm === 0) return 0;
  return dot / Math.sqrt(leftNorm * rightNorm);
}

export interface TextSimilarity {
  /** max(0, cosine): opposite or unrelated directions both mean "not similar" on a [0, 1] scale. */
  similarity: number;
  cosine: number;
  left: TextVector;
  right: TextVector;
}

/** Word-vector similarity of two texts; 0 when either side has no known word. */
export function textSimilarity(left: string, right: string, vectors: WordVectors): TextSimilarity {
  const leftVector = textVector(left, vectors);
  const rightVector = textVector(right, vectors);
  if (leftVector.vector === null || rightVector.vector === null) {
    return { similarity: 0, cosine: 0, left: leftVector, right: rightVector };
  }
  const similarityCosine = cosine(leftVector.vector, rightVector.vector);
  return { similarity: Math.max(0, similarityCosine), cosine: similarityCosine, left: leftVector, right: rightVector };
}

/** "answer: 3 of 4 words have vectors (unknown: zorblax)", for explanations. */
export function describeCoverage(label: string, text: TextVector): string {
  const total = text.known.length + text.unknown.length;
  const unknown = text.unknown.length === 0 ? '' : ` (unknown: ${[...new Set(text.unknown)].slice(0, 5).join(', ')})`;
  return `${label}: ${text.known.length} of ${total} words have vectors${unknown}`;
}
