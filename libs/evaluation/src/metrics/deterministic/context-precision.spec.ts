import { testCase } from '../testing/fixtures.js';
import { contextPrecisionMetric, lexicalContextRelevance, overlapCoefficient } from './context-precision.js';

const CONTEXTS = [
  // [lyon, city, france]: shares {france}: 1 / min(3, 3) = 0.33 → irrelevant
  'Lyon is a city in France.',
  // [paris, capital, france, largest, city]: 3 / min(5, 3) = 1 → relevant
  'Paris is the capital of France and its largest city.',
  // [capital, france, hosts, louvre]: 2 / min(4, 3) = 0.67 → relevant
  'The capital of France hosts the Louvre.',
];

describe('context_precision (lexical)', () => {
  it('judges each context by its overlap with the ground truth ([paris, capital, france])', () => {
    expect(lexicalContextRelevance('Paris is the capital of France', CONTEXTS)).toEqual([false, true, true]);
  });

  it('averages precision@k over the relevant ranks', async () => {
    // relevant at ranks 2 and 3: (1/2 + 2/3) / 2 = 0.5833
    const result = await contextPrecisionMetric.score(
      testCase({ groundTruth: 'Paris is the capital of France', contexts: CONTEXTS }),
    );
    expect(result.score).toBeCloseTo(0.5833333333, 9);
    expect(result.explanation).toBe(
      'Context precision 0.58: relevant at ranks 2, 3 of 3 (overlap with the ground truth >= 0.5)',
    );
  });

  it('rewards ranking the relevant contexts first', async () => {
    // ranks 1 and 2: (1/1 + 2/2) / 2 = 1
    const reordered = [CONTEXTS[1] ?? '', CONTEXTS[2] ?? '', CONTEXTS[0] ?? ''];
    const result = await contextPrecisionMetric.score(
      testCase({ groundTruth: 'Paris is the capital of France', contexts: reordered }),
    );
    expect(result.score).toBe(1);
  });

  it('uses the answer as reference when there is no ground truth', async () => {
    // answer [paris]: only context 2 contains it → relevant at rank 2: (1/2) / 1 = 0.5
    const result = await contextPrecisionMetric.score(
      testCase({ answer: 'Paris.', groundTruth: null, contexts: CONTEXTS }),
    );
    expect(result.score).toBe(0.5);
    expect(result.explanation).toContain('overlap with the answer');
  });

  it('scores 0 when no context is relevant, and ignores case and punctuation', async () => {
    const none = await contextPrecisionMetric.score(
      testCase({ groundTruth: 'Bananas are yellow', contexts: CONTEXTS }),
    );
    expect(none).toEqual({
      score: 0,
      explanation: 'Context precision 0.00: none of 3 contexts relevant (overlap with the ground truth >= 0.5)',
    });
    expect(overlapCoefficient(['paris'], ['paris', 'capital'])).toBe(1);
    expect(lexicalContextRelevance('PARIS!', ['paris?'])).toEqual([true]);
  });

  it('gives empty texts no overlap', () => {
    expect(overlapCoefficient([], ['paris'])).toBe(0);
  });

  it('needs contexts', async () => {
    await expect(contextPrecisionMetric.score(testCase({ groundTruth: 'x', contexts: [] }))).rejects.toMatchObject({
      code: 'MISSING_CONTEXTS',
    });
  });
});
