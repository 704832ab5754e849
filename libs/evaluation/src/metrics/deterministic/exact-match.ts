import { defineMetric } from '../define-metric.js';
import { quote } from '../format.js';
import { squadNormalise } from '../text/squad-normalise.js';

/** SQuAD exact match (compute_exact of evaluate-v2.0.py): 1 when both normalise to the same text, else 0. */
export function exactMatch(answer: string, groundTruth: string): boolean {
  return squadNormalise(answer) === squadNormalise(groundTruth);
}

export const exactMatchMetric = defineMetric({
  name: 'exact_match',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'Answer equals the ground truth after SQuAD normalisation (1 or 0).',
  compute(context) {
    const answer = squadNormalise(context.testCase.answer);
    const groundTruth = squadNormalise(context.groundTruth());
    if (answer === groundTruth) {
      return { score: 1, explanation: `Exact match: both normalise to ${quote(answer)}` };
    }
    return {
      score: 0,
      explanation: `No exact match: answer normalises to ${quote(answer)}, ground truth to ${quote(groundTruth)}`,
    };
  },
});
