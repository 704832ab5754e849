import { comparePaired } from '@evalvault/evaluation';
import type { RunComparison } from '@evalvault/service-apis';
import { pValue, renderComparison, renderComparisonMarkdown } from './run-comparison-text.js';

const aggregate = (metric: string, mean: number) => ({
  metric,
  count: 12,
  mean,
  min: 0,
  max: 1,
  p10: 0,
  p50: mean,
  p90: 1,
});
// token_f1 fell by 0.3 on 8 of 12 cases; exact_match did not move.
const tokenF1 = comparePaired(
  Array.from({ length: 12 }, (_, i) => ({ caseId: `case-${i + 1}`, base: 0.9, candidate: i < 8 ? 0.6 : 0.9 })),
);
const exactMatch = comparePaired(
  Array.from({ length: 12 }, (_, i) => ({ caseId: `case-${i + 1}`, base: 1, candidate: 1 })),
);
const comparison: RunComparison = {
  base: { runId: 'run-a', status: 'completed', gatePassed: true, configHash: 'h1' },
  candidate: { runId: 'run-b', status: 'completed', gatePassed: false, configHash: 'h2' },
  configurationChanges: ['prompt'],
  sharedCases: 12,
  metrics: [
    {
      metric: 'exact_match',
      base: aggregate('exact_match', 1),
      candidate: aggregate('exact_match', 1),
      meanDelta: 0,
      paired: exactMatch,
    },
    {
      metric: 'token_f1',
      base: aggregate('token_f1', 0.9),
      candidate: aggregate('token_f1', 0.7),
      meanDelta: -0.2,
      paired: tokenF1,
    },
    { metric: 'rouge_l', base: null, candidate: aggregate('rouge_l', 0.5), meanDelta: null, paired: null },
  ],
  regressions: ['token_f1'],
};

describe('runs compare output', () => {
  it('prints each metric with its paired difference, interval, p-value, effect size and verdict', () => {
    const text = renderComparison(comparison);
    expect(text).toContain('configuration changes: prompt');
    expect(text).toContain('shared cases: 12');
    expect(text).toMatch(/metric +base mean +candidate mean +delta +paired delta +95% CI +p-value +effect r +verdict/);
    const row = text.split('\n').find((line) => line.startsWith('token_f1'))!;
    const [low, high] = [tokenF1.interval.low, tokenF1.interval.high].map((v) => v.toFixed(3));
    expect(row).toContain(`[${low}, ${high}]`);
    expect(row).toContain(pValue(tokenF1.test.pValue));
    expect(row).toMatch(/-0\.200 +-0\.200 .* -1\.000 +REGRESSED$/);
    expect(text.split('\n').find((line) => line.startsWith('exact_match'))).toMatch(
      / 0\.000 +\[0\.000, 0\.000\] +1\.0 +0\.000 +no sig\. change$/,
    );
    expect(text.split('\n').find((line) => line.startsWith('rouge_l'))).toMatch(/no shared cases$/);
    expect(text).toContain('most regressed on token_f1:\n  case-1  0.900 -> 0.600  (-0.300)');
    expect(text).toContain('significant regressions: token_f1');
    expect(text).toContain('(95% paired bootstrap interval (10000 resamples, seed 1); Wilcoxon signed-rank p-value;');
  });

  it('renders the same as Markdown for a pull-request comment', () => {
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown).toMatch(/^## ❌ EvalVault comparison: significant regression in `token_f1`\n/);
    expect(markdown).toContain(
      '| metric | base mean | candidate mean | delta | paired delta | 95% CI | p-value | effect r | verdict |',
    );
    expect(markdown).toContain('<details><summary>Most regressed on `token_f1`</summary>');
    expect(markdown).toContain('| case-1 | 0.900 | 0.600 | -0.300 |');
  });

  it('writes p-values with two significant digits, tiny ones in exponent form', () => {
    expect([0.5, 0.046777, 0.0012, 0.00004, 1].map(pValue)).toEqual(['0.50', '0.047', '0.0012', '4.0e-5', '1.0']);
  });
});
