import { porterStem } from './porter-stemmer.js';

export interface RougeTokenOptions {
  /** Porter-stem tokens longer than three letters, as rouge-score's `use_stemmer=True`. */
  stem?: boolean;
}

const NON_ALPHANUMERIC = /[^a-z0-9]+/g;

/**
 * Google rouge-score's tokenizer (rouge_score/tokenize.py): lowercase, every run of characters
 * other than a-z and 0-9 becomes a space, split on whitespace, optionally stem words longer than
 * three letters. No article or stopword removal, and no letters beyond ASCII ("café" → "caf").
 */
export function rougeTokens(text: string, options: RougeTokenOptions = {}): string[] {
  const tokens = text.toLowerCase().replace(NON_ALPHANUMERIC, ' ').split(' ');
  // Stemming can only shorten a-z words, so the empty strings left by the split are the only ones to drop.
  return tokens
    .filter((token) => token !== '')
    .map((token) => (options.stem && token.length > 3 ? porterStem(token) : token));
}
