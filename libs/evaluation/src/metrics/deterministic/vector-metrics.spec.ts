import { testCase, TINY_VECTORS } from '../testing/fixtures.js';
import { answerRelevancyMetric } from './answer-relevancy.js';
import { semanticSimilarityMetric } from './semantic-similarity.js';

// TINY_VECTORS: cat [1, 0], kitten [0.8, 0.6], dog [0.6, 0.8], car [0, 1], bank [-1, 0]
const deps = { wordVectors: TINY_VECTORS };

describe('semantic_similarity', () => {
  it('is the cosine of the two texts’ word vectors', async () => {
    // cat · kitten = 0.8
    const result = await semanticSimilarityMetric.score(testCase({ answer: 'Cat', groundTruth: 'kitten' }), deps);
    expect(result.score).toBeCloseTo(0.8, 10);
    expect(result.explanation).toBe(
      'Similarity 0.80 (cosine 0.80); answer: 1 of 1 words have vectors; ground truth: 1 of 1 words have vectors',
    );
  });

  it('averages the word vectors of a text', async () => {
    // mean(cat, dog) = [0.8, 0.4]; · kitten = 0.64 + 0.24 = 0.88; |[0.8, 0.4]| = √0.8; cos = 0.88 / √0.8 = 0.98387
    const result = await semanticSimilarityMetric.score(testCase({ answer: 'cat, dog', groundTruth: 'kitten' }), deps);
    expect(result.score).toBeCloseTo(0.98386991, 7);
  });

  it('skips stopwords and unknown words, and says which words had no vector', async () => {
    // "the cat is here zorblax" → content [cat, zorblax]; zorblax unknown → vector of cat; · kitten = 0.8
    const result = await semanticSimilarityMetric.score(
      testCase({ answer: 'The cat is here, zorblax!', groundTruth: 'kitten' }),
      deps,
    );
    expect(result.score).toBeCloseTo(0.8, 10);
    expect(result.explanation).toContain('answer: 1 of 2 words have vectors (unknown: zorblax)');
  });

  it('maps opposite meanings to 0, not to a negative score', async () => {
    // cat · bank = -1 → max(0, -1) = 0
    const result = await semanticSimilarityMetric.score(testCase({ answer: 'cat', groundTruth: 'bank' }), deps);
    expect(result.score).toBe(0);
    expect(result.explanation).toContain('cosine -1.00');
  });

  it('scores 0 when a side has no known word, but 1 for identical texts', async () => {
    const unknown = await semanticSimilarityMetric.score(testCase({ answer: 'zorblax', groundTruth: 'kitten' }), deps);
    expect(unknown.score).toBe(0);
    expect(unknown.explanation).toContain('nothing to compare');
    const identical = await semanticSimilarityMetric.score(testCase({ answer: 'XJ-9', groundTruth: 'xj9' }), deps);
    expect(identical.score).toBe(1);
  });

  it('needs a ground truth', async () => {
    await expect(semanticSimilarityMetric.score(testCase({ groundTruth: null }), deps)).rejects.toMatchObject({
      code: 'MISSING_GROUND_TRUTH',
    });
  });
});

describe('answer_relevancy (word vectors)', () => {
  it('compares question and answer, needing no ground truth', async () => {
    // question content [kitten] (what, is: stopwords), answer [cat]: 0.8
    const result = await answerRelevancyMetric.score(
      testCase({ question: 'What is a kitten?', answer: 'A cat.', groundTruth: null }),
      deps,
    );
    expect(result.score).toBeCloseTo(0.8, 10);
    expect(result.explanation).toBe(
      'Relevancy 0.80 (cosine 0.80); question: 1 of 1 words have vectors; answer: 1 of 1 words have vectors',
    );
  });

  it('scores an empty answer 0', async () => {
    const result = await answerRelevancyMetric.score(testCase({ question: 'What is a kitten?', answer: '' }), deps);
    expect(result).toEqual({
      score: 0,
      explanation:
        'Relevancy 0.00: nothing to compare, question: 1 of 1 words have vectors; answer: 0 of 0 words have vectors',
    });
  });
});
