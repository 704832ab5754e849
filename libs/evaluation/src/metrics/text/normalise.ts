/**
 * SQuAD's answer normalisation (the official evaluation script): lowercase, delete punctuation,
 * drop the articles a/an/the, collapse whitespace. Every lexical metric tokenises through here so
 * that "The Eiffel Tower." and "eiffel tower" compare equal everywhere, not just in exact_match.
 *
 * One deliberate widening: SQuAD deletes ASCII punctuation only; we delete every Unicode punctuation
 * and symbol character, so typographic quotes and dashes (’ “ — …) do not glue onto words.
 */
const PUNCTUATION_OR_SYMBOL = /[\p{P}\p{S}]/gu;
// Unicode-aware word boundaries: JavaScript's \b only knows ASCII letters.
const ARTICLE = /(?<![\p{L}\p{N}])(?:a|an|the)(?![\p{L}\p{N}])/gu;
const WHITESPACE = /\s+/gu;

export function normaliseAnswer(text: string): string {
  return text.toLowerCase().replace(PUNCTUATION_OR_SYMBOL, '').replace(ARTICLE, ' ').replace(WHITESPACE, ' ').trim();
}

/** The normalised text split on whitespace; an empty or punctuation-only text has no tokens. */
export function answerTokens(text: string): string[] {
  const normalised = normaliseAnswer(text);
  return normalised === '' ? [] : normalised.split(' ');
}
