import type { EvaluationCase } from '../../model/evaluation-case.js';
import { defineMetric } from '../define-metric.js';
import { invalidOptions } from '../metric-error.js';
import { askJudge, optionalText } from './judge-reply.js';
import { contextsBlock } from './prompt-parts.js';

/**
 * A user-written rubric, scored by the judge from 1 to 5 and mapped to [0, 1] as (score - 1) / 4.
 * The rubric text comes in the options: { rubric: '5: fully correct and polite ... 1: wrong' }.
 * Ground truth and contexts are shown to the judge when the case has them, never required.
 */
export const rubricMetric = defineMetric({
  name: 'rubric',
  kind: 'llm',
  requires: [],
  description: 'The judge’s 1-5 score of the answer against a user rubric, as (score - 1) / 4.',
  async compute(context) {
    const rubric = context.options['rubric'];
    if (typeof rubric !== 'string' || rubric.trim() === '') {
      throw invalidOptions(context.metric, context.testCase.id, 'option "rubric" must be a non-empty string');
    }
    const reply = await askJudge(context, 'rubric.score', rubricPrompt(rubric, context.testCase));
    const score = reply.integer('score', 1, 5);
    const reason = optionalText(reply.value, 'reason');
    return { score: (score - 1) / 4, explanation: `Rubric ${score} of 5${reason === '' ? '' : `: ${reason}`}` };
  },
});

function rubricPrompt(rubric: string, testCase: EvaluationCase): string {
  const groundTruth =
    testCase.groundTruth === null || testCase.groundTruth === undefined
      ? []
      : [`Ground truth: ${testCase.groundTruth}`];
  const contexts = testCase.contexts.length === 0 ? [] : ['Contexts:', contextsBlock(testCase.contexts)];
  return [
    'Score the answer below from 1 (worst) to 5 (best) following this rubric:',
    rubric.trim(),
    '',
    `Question: ${testCase.question}`,
    `Answer: ${testCase.answer}`,
    ...groundTruth,
    ...contexts,
    '',
    'Reply with JSON: {"score": <integer 1 to 5>, "reason": "<one or two sentences>"}',
  ].join('\n');
}
