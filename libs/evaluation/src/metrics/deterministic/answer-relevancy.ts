import { defineMetric } from '../define-metric.js';
import { fmt } from '../format.js';
import { describeCoverage, textSimilarity } from '../vectors/word-vectors.js';

/**
 * Deterministic answer relevancy: word-vector similarity of question and answer. Cheap and stable,
 * but it rewards an answer that repeats the question's words; answer_relevancy_llm (Ragas' method,
 * questions generated back from the answer) is the stronger signal.
 */
export const answerRelevancyMetric = defineMetric({
  name: 'answer_relevancy',
  kind: 'deterministic',
  requires: [],
  description: 'Cosine similarity of the mean word vectors of question and answer, max(0, cos).',
  async compute(context) {
    const { question, answer } = context.testCase;
    const result = textSimilarity(question, answer, await context.wordVectors());
    const coverage = `${describeCoverage('question', result.left)}; ${describeCoverage('answer', result.right)}`;
    if (result.left.vector === null || result.right.vector === null) {
      return { score: 0, explanation: `Relevancy 0.00: nothing to compare, ${coverage}` };
    }
    return {
      score: result.similarity,
      explanation: `Relevancy ${fmt(result.similarity)} (cosine ${fmt(result.cosine)}); ${coverage}`,
    };
  },
});
