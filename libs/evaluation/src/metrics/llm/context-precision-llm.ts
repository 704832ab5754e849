import { averagePrecision, describeRelevantRanks } from '../average-precision.js';
import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import type { MetricContext } from '../metric.js';
import { askJudge } from './judge-reply.js';

/**
 * Ragas context precision: one judge verdict per retrieved context (was it useful to arrive at the
 * ground truth?), then rank-weighted average precision. Without a ground truth the answer is the
 * reference, as in Ragas' "without reference" variant. Contexts are judged one call each, as in Ragas,
 * so that one long context does not crowd the others out of the judge's attention.
 */
export const contextPrecisionLlmMetric = defineMetric({
  name: 'context_precision_llm',
  kind: 'llm',
  requires: ['contexts'],
  description:
    'Rank-weighted share of contexts the judge finds useful for the ground truth or answer (LLM-judged, Ragas).',
  async compute(context) {
    const { groundTruth, answer } = context.testCase;
    const reference =
      groundTruth === null || groundTruth === undefined
        ? { label: 'answer', text: answer }
        : { label: 'ground truth', text: groundTruth };
    const relevant = await Promise.all(context.contexts().map((text) => judgeUsefulness(context, reference, text)));
    const score = averagePrecision(relevant);
    return {
      score,
      explanation:
        `Context precision ${fmt(score)}: ${describeRelevantRanks(relevant)} ` +
        `(useful for the ${reference.label}, per the judge)`,
    };
  },
});

async function judgeUsefulness(
  context: MetricContext,
  reference: { label: string; text: string },
  text: string,
): Promise<boolean> {
  const prompt = [
    `Given a question, its ${reference.label} and one retrieved context, decide whether the context was useful`,
    `in arriving at the ${reference.label}: verdict 1 if it was, 0 if it was not.`,
    '',
    `Question: ${context.testCase.question}`,
    `${reference.label === 'answer' ? 'Answer' : 'Ground truth'}: ${reference.text}`,
    'Context:',
    text,
    '',
    'Reply with JSON: {"reason": "<one sentence>", "verdict": 1 or 0}',
  ].join('\n');
  const reply = await askJudge(context, 'context_precision.verdict', prompt);
  return reply.flag('verdict');
}
