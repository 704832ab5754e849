import { averagePrecision, describeRelevantRanks } from './average-precision.js';

describe('averagePrecision (Ragas context precision)', () => {
  it('averages precision@k over the relevant ranks', () => {
    expect(averagePrecision([true])).toBe(1);
    // rank 2: precision@2 = 1/2; one relevant → 0.5
    expect(averagePrecision([false, true])).toBe(0.5);
    // ranks 1 and 3: (1/1 + 2/3) / 2 = 0.8333
    expect(averagePrecision([true, false, true])).toBeCloseTo(5 / 6, 12);
  });

  it('is 0 without relevant contexts, never NaN', () => {
    expect(averagePrecision([])).toBe(0);
    expect(averagePrecision([false, false])).toBe(0);
  });

  it('describes the ranks', () => {
    expect(describeRelevantRanks([true, false, true])).toBe('relevant at ranks 1, 3 of 3');
    expect(describeRelevantRanks([false, true])).toBe('relevant at rank 2 of 2');
    expect(describeRelevantRanks([false])).toBe('none of 1 contexts relevant');
  });
});
