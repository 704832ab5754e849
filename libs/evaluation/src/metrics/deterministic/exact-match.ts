import { defineMetric } from '../define-metric.js';
import { quote } from '../format.js';
import { normaliseAnswer } from '../text/normalise.js';

/** SQuAD exact match: 1 when answer and ground truth are equal after normalisation, else 0. */
export function exactMatch(answer: string, groundTruth: string): boolean {
  return normaliseAnswer(answer) === normaliseAnswer(groundTruth);
}

export const exactMatchMetric = defineMetric({
  name: 'exact_match',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'Answer equals the ground truth after SQuAD normalisation (1 or 0).',
  compute(context) {
    const answer = normaliseAnswer(context.testCase.answer);
    const groundTruth = normaliseAnswer(context.groundTruth());
    if (answer === groundTruth) {
      return { score: 1, explanation: `Exact match: both normalise to ${quote(answer)}` };
    }
    return {
      score: 0,
      explanation: `No exact match: answer normalises to ${quote(answer)}, ground truth to ${quote(groundTruth)}`,
    };
  },
});
