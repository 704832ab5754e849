import { answerTokens } from './normalise.js';
import { STOPWORDS } from './stopwords.js';

/**
 * The normalised tokens of a text that carry content (stopwords removed). When every token is a
 * stopword ("Who is he?") the text keeps all its tokens: an empty list would make such a sentence
 * vacuously supported (or never supported) whatever the other side says.
 */
export function contentTokens(text: string): string[] {
  const tokens = answerTokens(text);
  const content = tokens.filter((token) => !STOPWORDS.has(token));
  return content.length > 0 ? content : tokens;
}

export interface Coverage {
  /** Distinct tokens of the text found in the vocabulary. */
  found: number;
  /** Distinct tokens of the text. */
  total: number;
  /** found / total, 0 when the text has no tokens. */
  share: number;
}

/** How many of a text's distinct content tokens occur in a vocabulary (e.g. all the contexts). */
export function coverageOf(tokens: readonly string[], vocabulary: ReadonlySet<string>): Coverage {
  const distinct = new Set(tokens);
  let found = 0;
  for (const token of distinct) if (vocabulary.has(token)) found += 1;
  return { found, total: distinct.size, share: distinct.size === 0 ? 0 : found / distinct.size };
}

/** The distinct content tokens of several texts together (e.g. of all retrieved contexts). */
export function contentVocabulary(texts: readonly string[]): Set<string> {
  return new Set(texts.flatMap(contentTokens));
}
