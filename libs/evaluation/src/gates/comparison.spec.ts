import { compare, passRate, roundForComparison } from './comparison.js';

describe('roundForComparison', () => {
  it('removes float noise below 1e-9', () => {
    expect(roundForComparison((0.1 + 0.2 + 0.3) / 3)).toBe(0.2);
    expect(roundForComparison(0.85 - 0.02)).toBe(0.83);
  });

  it('keeps differences of 1e-9 and more', () => {
    expect(roundForComparison(0.800000001)).toBe(0.800000001);
  });

  it('reports a rounded negative zero as 0 and leaves huge values alone', () => {
    expect(Object.is(roundForComparison(-1e-12), 0)).toBe(true);
    expect(roundForComparison(1e300)).toBe(1e300);
  });
});

describe('compare', () => {
  it.each([
    ['>=', 0.5, 0.4],
    ['>', 0.6, 0.5],
    ['<=', 0.5, 0.6],
    ['<', 0.4, 0.5],
    ['==', 0.5, 0.6],
    ['!=', 0.6, 0.5],
  ] as const)('%s 0.5 holds for %s, not for %s', (comparator, holds, fails) => {
    expect(compare(holds, comparator, 0.5)).toBe(true);
    expect(compare(fails, comparator, 0.5)).toBe(false);
  });
});

describe('passRate', () => {
  it('is the share of scores at or above the pass threshold', () => {
    expect(passRate([0.7, 0.69, 0.9, 0.5], 0.7)).toBe(0.5);
  });

  it('counts a score equal to the threshold up to float noise as passing', () => {
    expect(passRate([0.1 + 0.2], 0.3)).toBe(1);
    expect(passRate([0.3 - 1e-12], 0.3)).toBe(1);
  });

  it('is undefined for no scores', () => {
    expect(passRate([], 0.5)).toBeUndefined();
  });
});
