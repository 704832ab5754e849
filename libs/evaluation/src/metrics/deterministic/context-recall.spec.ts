import { testCase } from '../testing/fixtures.js';
import { contextRecallMetric, lexicalContextRecall } from './context-recall.js';

describe('context_recall (lexical)', () => {
  it('counts ground-truth sentences mostly found in the contexts', async () => {
    // sentence 1 content [paris, capital, france]; contexts have paris, capital, and "frances" (not "france"):
    //   2 of 3 = 0.67 ≥ 0.5 → recalled
    // sentence 2 content [2, million, inhabitants]: 0 of 3 → not recalled; score 1/2
    const result = await contextRecallMetric.score(
      testCase({
        groundTruth: 'Paris is the capital of France. It has 2 million inhabitants.',
        contexts: ["France's capital is Paris.", 'The Seine flows through the city.'],
      }),
    );
    expect(result).toEqual({
      score: 0.5,
      explanation:
        'Context recall 0.50: 1 of 2 ground-truth sentences found in the contexts; ' +
        'not found: "It has 2 million inhabitants."',
    });
  });

  it('recalls a sentence at exactly half coverage', () => {
    // [paris, museums]: paris found → 1/2 = 0.5 ≥ 0.5
    expect(lexicalContextRecall('Paris museums.', ['Paris'])).toEqual([
      { sentence: 'Paris museums.', coverage: 0.5, recalled: true },
    ]);
  });

  it('ignores case and punctuation, and scores 1 when everything is there', async () => {
    const result = await contextRecallMetric.score(
      testCase({ groundTruth: 'PARIS, CAPITAL!', contexts: ['paris capital'] }),
    );
    expect(result.score).toBe(1);
  });

  it('scores 0 when nothing overlaps', async () => {
    const result = await contextRecallMetric.score(
      testCase({ groundTruth: 'Bananas are yellow.', contexts: ['Paris is in France.'] }),
    );
    expect(result.score).toBe(0);
  });

  it('needs contexts and a non-blank ground truth', async () => {
    await expect(contextRecallMetric.score(testCase({ groundTruth: 'Paris.', contexts: [] }))).rejects.toMatchObject({
      code: 'MISSING_CONTEXTS',
    });
    await expect(contextRecallMetric.score(testCase({ groundTruth: null, contexts: ['x'] }))).rejects.toMatchObject({
      code: 'MISSING_GROUND_TRUTH',
    });
    await expect(contextRecallMetric.score(testCase({ id: 'b1', groundTruth: '  ', contexts: ['x'] }))).rejects.toThrow(
      'Metric "context_recall" needs a ground truth, but case "b1" has a blank one [MISSING_GROUND_TRUTH]',
    );
  });
});
