import { defineMetric } from '../define-metric.js';
import { fmt, quote } from '../format.js';
import { missingGroundTruth } from '../metric-error.js';
import { contentTokens, contentVocabulary, coverageOf } from '../text/content-tokens.js';
import { splitSentences } from '../text/sentences.js';

/** A ground-truth sentence counts as recalled when at least this share of its content tokens is in the contexts. */
export const RECALLED_SENTENCE_COVERAGE = 0.5;

export interface SentenceRecall {
  sentence: string;
  coverage: number;
  recalled: boolean;
}

/** Lexical stand-in for Ragas' context recall: which ground-truth sentences the contexts contain. */
export function lexicalContextRecall(groundTruth: string, contexts: readonly string[]): SentenceRecall[] {
  const vocabulary = contentVocabulary(contexts);
  return splitSentences(groundTruth).map((sentence) => {
    const coverage = coverageOf(contentTokens(sentence), vocabulary).share;
    return { sentence, coverage, recalled: coverage >= RECALLED_SENTENCE_COVERAGE };
  });
}

export const contextRecallMetric = defineMetric({
  name: 'context_recall',
  kind: 'deterministic',
  requires: ['groundTruth', 'contexts'],
  description:
    `Share of ground-truth sentences whose content words are mostly (>= ${RECALLED_SENTENCE_COVERAGE}) ` +
    'in the contexts.',
  compute(context) {
    const sentences = lexicalContextRecall(context.groundTruth(), context.contexts());
    // Recall of nothing is undefined: a blank ground truth is as good as none here.
    if (sentences.length === 0) throw missingGroundTruth(context.metric, context.testCase.id, 'has a blank one');
    const recalled = sentences.filter((sentence) => sentence.recalled);
    const score = recalled.length / sentences.length;
    const missed = sentences.filter((sentence) => !sentence.recalled).map((sentence) => quote(sentence.sentence, 60));
    const missedPart = missed.length === 0 ? '' : `; not found: ${missed.join(', ')}`;
    return {
      score,
      explanation:
        `Context recall ${fmt(score)}: ${recalled.length} of ${sentences.length} ` +
        `ground-truth sentences found in the contexts${missedPart}`,
    };
  },
});
