import { MetricError } from '../metric-error.js';
import { testCase } from '../testing/fixtures.js';
import { exactMatch, exactMatchMetric } from './exact-match.js';

describe('exact_match', () => {
  it('ignores case, punctuation, articles and spacing', async () => {
    // "The Eiffel Tower!" → "eiffel tower"
    const result = await exactMatchMetric.score(
      testCase({ answer: 'The Eiffel Tower!', groundTruth: 'eiffel   tower' }),
    );
    expect(result).toEqual({ score: 1, explanation: 'Exact match: both normalise to "eiffel tower"' });
  });

  it('scores 0 for different answers and shows both normal forms', async () => {
    const result = await exactMatchMetric.score(testCase({ answer: 'Paris.', groundTruth: 'Lyon' }));
    expect(result.score).toBe(0);
    expect(result.explanation).toBe('No exact match: answer normalises to "paris", ground truth to "lyon"');
  });

  it('is all or nothing: a partial answer is not a match', () => {
    expect(exactMatch('Paris', 'Paris, France')).toBe(false);
    expect(exactMatch('Paris, France', 'Paris, France')).toBe(true);
  });

  it('counts two empty answers as a match (SQuAD 2.0 "no answer") and one empty side as none', () => {
    expect(exactMatch('', '')).toBe(true);
    expect(exactMatch('The.', '')).toBe(true);
    expect(exactMatch('', 'Paris')).toBe(false);
  });

  it('fails with MISSING_GROUND_TRUTH naming the metric and the case', async () => {
    const failure = exactMatchMetric.score(testCase({ id: 'q-17', groundTruth: null }));
    await expect(failure).rejects.toBeInstanceOf(MetricError);
    await expect(failure).rejects.toMatchObject({
      code: 'MISSING_GROUND_TRUTH',
      metric: 'exact_match',
      details: { caseId: 'q-17' },
    });
    await expect(failure).rejects.toThrow(/exact_match.*q-17/);
  });
});
