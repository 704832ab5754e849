/**
 * Splits prose into sentences: after . ! ? or … followed by whitespace, and at line breaks.
 * Requiring whitespace after the mark keeps "3.5" and "example.com" whole; abbreviations such as
 * "e.g. this" do split, an accepted error for the lexical metrics that use this.
 * Fragments without a letter or digit (a lone "-" bullet, "...") are not sentences.
 */
const SENTENCE_BOUNDARY = /(?<=[.!?…])\s+|\n+/u;
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_BOUNDARY)
    .map((sentence) => sentence.trim())
    .filter((sentence) => HAS_WORD_CHARACTER.test(sentence));
}
