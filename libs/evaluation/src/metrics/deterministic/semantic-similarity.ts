import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { normaliseAnswer } from '../text/normalise.js';
import { describeCoverage, textSimilarity } from '../vectors/word-vectors.js';

export const semanticSimilarityMetric = defineMetric({
  name: 'semantic_similarity',
  kind: 'deterministic',
  requires: ['groundTruth'],
  description: 'Cosine similarity of the mean word vectors of answer and ground truth, max(0, cos).',
  async compute(context) {
    const answer = context.testCase.answer;
    const groundTruth = context.groundTruth();
    // Identical texts are similar even when no word has a vector (codes, names, numbers).
    if (normaliseAnswer(answer) === normaliseAnswer(groundTruth)) {
      return { score: 1, explanation: 'Similarity 1.00: answer and ground truth are identical after normalisation' };
    }
    const result = textSimilarity(answer, groundTruth, await context.wordVectors());
    const coverage = `${describeCoverage('answer', result.left)}; ${describeCoverage('ground truth', result.right)}`;
    if (result.left.vector === null || result.right.vector === null) {
      return { score: 0, explanation: `Similarity 0.00: nothing to compare, ${coverage}` };
    }
    return {
      score: result.similarity,
      explanation: `Similarity ${fmt(result.similarity)} (cosine ${fmt(result.cosine)}); ${coverage}`,
    };
  },
});
