import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import type { MetricContext } from '../metric.js';
import { invalidOptions } from '../metric-error.js';
import { extractClaims, verifyClaims } from './claims.js';

export type FactualCorrectnessMode = 'f1' | 'precision' | 'recall';
const MODES: readonly FactualCorrectnessMode[] = ['f1', 'precision', 'recall'];

export interface ClaimCounts {
  /** Answer claims the ground truth supports. */
  truePositives: number;
  /** Answer claims the ground truth does not support. */
  falsePositives: number;
  /** Ground-truth claims the answer does not support. */
  falseNegatives: number;
}

/**
 * Ragas' arithmetic, including its quirk that recall's numerator is the count of supported answer
 * claims (tp), not of covered ground-truth claims. Zero denominators give 0 (Ragas adds 1e-8).
 */
export function factualScores(counts: ClaimCounts): Record<FactualCorrectnessMode, number> {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = counts;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { f1, precision, recall };
}

/**
 * Ragas factual correctness: the judge decomposes answer and ground truth into claims; answer
 * claims checked against the ground truth give tp and fp, ground-truth claims checked against the
 * answer give fn. Option { mode: 'f1' | 'precision' | 'recall' }, default 'f1' (beta 1).
 */
export const factualCorrectnessMetric = defineMetric({
  name: 'factual_correctness',
  kind: 'llm',
  requires: ['groundTruth'],
  description: 'Claim-level F1 (or precision/recall) of the answer against the ground truth (LLM-judged, Ragas).',
  async compute(context) {
    const mode = modeOption(context);
    const answer = { label: 'answer', text: context.testCase.answer };
    const groundTruth = { label: 'ground truth', text: context.groundTruth() };
    const answerClaims = await extractClaims(context, 'factual_correctness.answer_claims', answer);
    const answerVerdicts = await verifyClaims(
      context,
      'factual_correctness.answer_verdicts',
      groundTruth,
      answerClaims,
    );
    const truePositives = answerVerdicts.filter((verdict) => verdict.supported).length;
    const counts = { truePositives, falsePositives: answerClaims.length - truePositives, falseNegatives: 0 };
    if (mode !== 'precision') {
      // Precision alone never needs the ground truth's claims: skip two judge calls, as Ragas does.
      const groundTruthClaims = await extractClaims(context, 'factual_correctness.ground_truth_claims', groundTruth);
      const groundTruthVerdicts = await verifyClaims(
        context,
        'factual_correctness.ground_truth_verdicts',
        answer,
        groundTruthClaims,
      );
      counts.falseNegatives = groundTruthVerdicts.filter((verdict) => !verdict.supported).length;
    }
    const scores = factualScores(counts);
    return { score: scores[mode], explanation: explainFactual(mode, scores, counts) };
  },
});

function modeOption(context: MetricContext): FactualCorrectnessMode {
  const mode = context.options['mode'] ?? 'f1';
  if (!MODES.includes(mode as FactualCorrectnessMode)) {
    throw invalidOptions(
      context.metric,
      context.testCase.id,
      `mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
  return mode as FactualCorrectnessMode;
}

function explainFactual(
  mode: FactualCorrectnessMode,
  scores: Record<FactualCorrectnessMode, number>,
  counts: ClaimCounts,
): string {
  const answerClaims = counts.truePositives + counts.falsePositives;
  const supported = `${counts.truePositives} of ${answerClaims} answer claims supported by the ground truth`;
  if (mode === 'precision') return `Factual precision ${fmt(scores.precision)}: ${supported}`;
  const detail = `${supported}, ${counts.falseNegatives} ground-truth claims missing from the answer`;
  return (
    `Factual ${mode === 'f1' ? 'F1' : 'recall'} ${fmt(scores[mode])}: ${detail} ` +
    `(precision ${fmt(scores.precision)}, recall ${fmt(scores.recall)})`
  );
}
