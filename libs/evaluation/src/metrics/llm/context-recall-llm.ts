import { defineMetric } from '../define-metric.js';
import { fmt, quote } from '../format.js';
import { missingGroundTruth } from '../metric-error.js';
import { splitSentences } from '../text/sentences.js';
import { askJudge } from './judge-reply.js';
import { contextsBlock, numberedList } from './prompt-parts.js';

/**
 * Ragas context recall: each ground-truth sentence is attributed to the retrieved contexts or not;
 * score = attributed / sentences. We split the sentences ourselves and number them (Ragas lets the
 * model split), so the judge's list can be checked entry for entry against what was asked.
 */
export const contextRecallLlmMetric = defineMetric({
  name: 'context_recall_llm',
  kind: 'llm',
  requires: ['groundTruth', 'contexts'],
  description: 'Share of ground-truth sentences the judge can attribute to the contexts (LLM-judged, Ragas).',
  async compute(context) {
    const sentences = splitSentences(context.groundTruth());
    if (sentences.length === 0) throw missingGroundTruth(context.metric, context.testCase.id, 'has a blank one');
    const prompt = [
      'For each numbered sentence of the ground truth, decide whether it can be attributed to the contexts below,',
      'that is whether the contexts contain the information it states: 1 if they do, 0 if they do not.',
      '',
      `Question: ${context.testCase.question}`,
      '',
      'Contexts:',
      contextsBlock(context.contexts()),
      '',
      'Ground-truth sentences:',
      numberedList(sentences),
      '',
      'Reply with JSON: {"attributions": ' +
        '[{"sentence": <number>, "reason": "<one sentence>", "attributed": 1 or 0}, ...]}',
      'with exactly one entry per sentence, in the order given.',
    ].join('\n');
    const reply = await askJudge(context, 'context_recall.attributions', prompt);
    const attributed = reply.objects('attributions', sentences.length).map((entry) => reply.flag('attributed', entry));
    const count = attributed.filter(Boolean).length;
    const score = count / sentences.length;
    const missed = sentences.filter((_, index) => attributed[index] !== true).map((sentence) => quote(sentence, 60));
    const missedPart = missed.length === 0 ? '' : `; not attributed: ${missed.join(', ')}`;
    return {
      score,
      explanation:
        `Context recall ${fmt(score)}: ${count} of ${sentences.length} ` +
        `ground-truth sentences attributed to the contexts${missedPart}`,
    };
  },
});
