/**
 * SQuAD's answer normalisation (lowercase, delete punctuation, drop the articles a/an/the, collapse
 * whitespace), widened: every Unicode punctuation and symbol character is deleted, not only ASCII
 * punctuation, so typographic quotes and dashes (’ “ — …) do not glue onto words. The lexical metrics
 * that are our own definitions (context recall and precision, lexical faithfulness, the similarity
 * shortcut) tokenise through here. Metrics with a published reference tokenise as it does instead:
 * squad-normalise.ts (exact_match, token_f1, bleu) and rouge-tokens.ts (rouge_l).
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
