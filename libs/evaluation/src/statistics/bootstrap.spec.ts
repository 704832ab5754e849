import { pairedBootstrapInterval, quantile } from './bootstrap.js';
import { seededRandom } from './seeded-random.js';

describe('paired bootstrap interval', () => {
  const differences = [0.3, -0.2, 0.1, 0.7, -0.5, 0.25, 0.05, 0.4, -0.1, 0.15];

  it('is reproducible: the same seed gives the same interval, another seed a slightly different one', () => {
    const options = { resamples: 2_000, confidence: 0.95, seed: 42 };
    const first = pairedBootstrapInterval(differences, options);
    expect(pairedBootstrapInterval(differences, options)).toEqual(first);
    const other = pairedBootstrapInterval(differences, { ...options, seed: 43 });
    expect(other).not.toEqual(first);
    expect(Math.abs(other.low - first.low)).toBeLessThan(0.05);
  });

  it('contains the mean difference and is about ±1.96 standard errors wide', () => {
    const n = differences.length;
    const mean = differences.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(differences.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const { low, high } = pairedBootstrapInterval(differences, { resamples: 20_000, confidence: 0.95, seed: 7 });
    expect(low).toBeLessThan(mean);
    expect(high).toBeGreaterThan(mean);
    expect((high - low) / 2 / (sd / Math.sqrt(n))).toBeCloseTo(1.96, 0);
  });

  it('collapses to the difference when every case changed by the same amount', () => {
    expect(pairedBootstrapInterval([-0.25, -0.25, -0.25], { resamples: 100, confidence: 0.95, seed: 1 })).toEqual({
      low: -0.25,
      high: -0.25,
    });
  });

  it("reads quantiles as numpy.percentile's linear interpolation", () => {
    const sorted = Float64Array.from([0.3, -0.2, 0.1, 0.7, -0.5, 0.25]).sort();
    // numpy.percentile([0.3, -0.2, 0.1, 0.7, -0.5, 0.25], [2.5, 97.5]) = [-0.4625, 0.65]
    expect(quantile(sorted, 0.025)).toBeCloseTo(-0.4625, 14);
    expect(quantile(sorted, 0.975)).toBeCloseTo(0.65, 14);
  });

  it('draws from a seeded generator in [0, 1)', () => {
    const draws = Array.from({ length: 1_000 }, seededRandom(3));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(Array.from({ length: 5 }, seededRandom(3))).toEqual(draws.slice(0, 5));
  });
});
