import { defineMetric } from '../define-metric.js';
import { fmt, quote } from '../format.js';
import { contentTokens, contentVocabulary, coverageOf } from '../text/content-tokens.js';
import { splitSentences } from '../text/sentences.js';

/** An answer sentence counts as supported when at least this share of its content tokens is in the contexts. */
export const SUPPORTED_SENTENCE_COVERAGE = 0.6;

export interface SentenceSupport {
  sentence: string;
  coverage: number;
  supported: boolean;
}

/** Lexical stand-in for faithfulness: which answer sentences are made of words found in the contexts. */
export function lexicalSentenceSupport(answer: string, contexts: readonly string[]): SentenceSupport[] {
  const vocabulary = contentVocabulary(contexts);
  return splitSentences(answer).map((sentence) => {
    const coverage = coverageOf(contentTokens(sentence), vocabulary).share;
    return { sentence, coverage, supported: coverage >= SUPPORTED_SENTENCE_COVERAGE };
  });
}

export const faithfulnessLexicalMetric = defineMetric({
  name: 'faithfulness_lexical',
  kind: 'deterministic',
  requires: ['contexts'],
  description:
    `Share of answer sentences whose content words are mostly (>= ${SUPPORTED_SENTENCE_COVERAGE}) ` +
    'in the contexts.',
  compute(context) {
    const sentences = lexicalSentenceSupport(context.testCase.answer, context.contexts());
    // An empty answer asserts nothing, so it contains nothing unsupported: faithful by definition.
    // (Whether it answers the question is for answer_relevancy or token_f1 to say.)
    if (sentences.length === 0)
      return { score: 1, explanation: 'Faithfulness 1.00: empty answer, nothing to contradict the contexts' };
    const supported = sentences.filter((sentence) => sentence.supported);
    const score = supported.length / sentences.length;
    const unsupported = sentences
      .filter((sentence) => !sentence.supported)
      .map((sentence) => quote(sentence.sentence, 60));
    const unsupportedPart = unsupported.length === 0 ? '' : `; unsupported: ${unsupported.join(', ')}`;
    return {
      score,
      explanation:
        `Faithfulness ${fmt(score)}: ${supported.length} of ${sentences.length} ` +
        `answer sentences supported by the contexts${unsupportedPart}`,
    };
  },
});
