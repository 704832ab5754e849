import type { ScheduleCreatedPayload } from '@evalvault/contracts';
import { assessDrift, type CaseScores, type DriftAssessment, type OpenDrift } from './drift.js';

const schedule: ScheduleCreatedPayload = {
  scheduleId: 'sch-1',
  name: 'nightly',
  cron: '0 * * * *',
  timeZone: 'UTC',
  datasetId: 'ds-1',
  datasetVersion: null,
  metrics: ['token_f1', 'exact_match'],
  gateRules: [],
  driftThreshold: 0.125,
  driftBaselineRuns: 2,
  notBefore: 0,
};

/** A run's scores of cases c1…c8, one list per metric (values are binary fractions: sums are exact). */
function run(metrics: Record<string, readonly number[]>): Record<string, Record<string, number>> {
  const cases: Record<string, Record<string, number>> = {};
  for (const [metric, values] of Object.entries(metrics))
    values.forEach((value, index) => {
      cases[`c${index + 1}`] = { ...cases[`c${index + 1}`], [metric]: value };
    });
  return cases;
}
const all = (value: number): number[] => new Array<number>(8).fill(value);

// Every case's baseline is 0.8125 on token_f1 (0.875 in r1, 0.75 in r2); exact_match stays at 1.
const r1 = run({ token_f1: all(0.875), exact_match: all(1) });
const r2 = run({ token_f1: all(0.75), exact_match: all(1) });
// Every case falls, by 0.25, 0.28125, …, 0.46875 (distinct): mean drop 0.359375.
const degraded = [0.5625, 0.53125, 0.5, 0.46875, 0.4375, 0.40625, 0.375, 0.34375];

const assess = (current: CaseScores, more: Partial<DriftAssessment> = {}) =>
  assessDrift({ schedule, runId: 'r3', current, runIds: ['r1', 'r2'], scores: { r1, r2 }, open: {}, ...more });

const detectedToken = {
  type: 'DriftDetected',
  payload: {
    scheduleId: 'sch-1',
    runId: 'r3',
    metric: 'token_f1',
    current: 0.453125,
    baseline: 0.8125,
    drop: 0.359375,
    threshold: 0.125,
    baselineRunIds: ['r1', 'r2'],
    datasetId: 'ds-1',
    pairedCases: 8,
    // All 8 differences negative and distinct: W+ = 0, exact two-sided p = 2 · 1/2⁸.
    pValue: 0.0078125,
    interval: { low: expect.any(Number), high: expect.any(Number), confidence: 0.95 },
    // d_z = −0.359375 / (0.03125 · √6) (the drops are 0.25 + 0.03125·k, k = 0…7); every rank negative.
    effectSize: { cohensDz: expect.closeTo(-11.5 / Math.sqrt(6), 9), rankBiserial: -1 },
  },
};

describe('drift: paired comparison with the rolling baseline', () => {
  it('raises exactly one DriftDetected per degraded metric, with the paired figures', () => {
    const events = assess(run({ token_f1: degraded, exact_match: all(1) }));
    expect(events).toEqual([detectedToken]);
    const { interval } = events[0]!.payload as { interval: { low: number; high: number } };
    // A bootstrap mean of these drops lies within their range.
    expect(interval.low).toBeGreaterThanOrEqual(-0.46875);
    expect(interval.high).toBeLessThanOrEqual(-0.25);
    const both = assess(run({ token_f1: degraded, exact_match: degraded }), {
      scores: {
        r1: run({ token_f1: all(0.875), exact_match: all(0.875) }),
        r2: run({ token_f1: all(0.75), exact_match: all(0.75) }),
      },
    });
    expect(both.map((event) => [event.type, event.payload.metric])).toEqual([
      ['DriftDetected', 'exact_match'],
      ['DriftDetected', 'token_f1'],
    ]);
  });

  it('raises nothing on a noisy dip that is not significant, though its mean falls beyond the threshold', () => {
    // Baseline 0.75 per case; changes +0.0625, +0.125, +0.1875, +0.25, −0.3125, −0.5, −0.625, −0.75:
    // mean −0.1953125 (the means alone would drift), but W+ = 1+2+3+4 = 10 of 36, exact p = 2·40/256 = 0.3125.
    const scores = { r1: run({ token_f1: all(0.8125) }), r2: run({ token_f1: all(0.6875) }) };
    const noisy = [0.8125, 0.875, 0.9375, 1, 0.4375, 0.25, 0.125, 0];
    expect(assess(run({ token_f1: noisy }), { scores })).toEqual([]);
  });

  it('raises nothing on a significant drop within the threshold (the minimum practical effect)', () => {
    // Every case 0.0625 + i/1024 or 0.09375 + i/1024 below its baseline: p = 2/256, but a mean drop of
    // (0.25 + 0.375 + 28/1024) / 8 ≈ 0.0815 ≤ 0.125.
    const slight = [0.75, 0.75, 0.75, 0.75, 0.71875, 0.71875, 0.71875, 0.71875].map((v, i) => v - i / 1024);
    const events = assess(run({ token_f1: slight }));
    expect(events).toEqual([]);
  });

  it('ignores cases no baseline run scored, baseline cases the run lacks, and averages over the runs that did', () => {
    const current = { ...run({ token_f1: degraded, exact_match: all(1) }), c9: { token_f1: 0 }, c10: {} };
    const scores = {
      r1: { ...r1, c0: { token_f1: 1 }, c8: { token_f1: 0.8125, exact_match: 1 } },
      r2: { ...r2, c8: { exact_match: 1 } }, // r2 did not score c8 on token_f1: its baseline is r1's 0.8125 alone
    };
    expect(assess(current, { scores })).toEqual([detectedToken]);
  });

  it('has no baseline without a previous run, nor without a paired case', () => {
    expect(assess(run({ token_f1: all(0) }), { runIds: [], scores: {} })).toEqual([]);
    expect(assess({ x1: { token_f1: 0 } })).toEqual([]);
  });

  it('takes the last N finished runs as the baseline of a new episode', () => {
    // r0 (all 0.125) is older than the two-run window: with it the baseline would be far lower.
    const scores = { r0: run({ token_f1: all(0.125) }), r1, r2 };
    const events = assess(run({ token_f1: degraded }), { runIds: ['r0', 'r1', 'r2'], scores });
    expect(events).toEqual([detectedToken]);
  });

  describe('an open episode', () => {
    const open: Record<string, OpenDrift> = {
      token_f1: { runId: 'r3', baseline: 0.8125, baselineRunIds: ['r1', 'r2'] },
    };
    // r4's window would be r2 and r3, r3 being degraded: the episode keeps comparing with r1 and r2.
    const later = (current: CaseScores) =>
      assess(current, {
        runId: 'r4',
        runIds: ['r1', 'r2', 'r3'],
        scores: { r1, r2, r3: run({ token_f1: degraded }) },
        open,
      });

    it('raises nothing more while the degradation lasts, nor when its own run is assessed again', () => {
      expect(later(run({ token_f1: degraded.map((v) => v - 0.125) }))).toEqual([]);
      expect(assess(run({ token_f1: degraded }), { open })).toEqual([]);
    });

    it('resolves when a run is no longer significantly below the episode baseline', () => {
      // Back around 0.8125: changes ±0.03125 … ±0.125 in equal and opposite pairs, mean 0, W+ = W−: p = 1.
      const recovered = [0.875, 0.75, 0.84375, 0.78125, 0.90625, 0.71875, 0.9375, 0.6875];
      expect(later(run({ token_f1: recovered }))).toEqual([
        {
          type: 'DriftResolved',
          payload: {
            scheduleId: 'sch-1',
            runId: 'r4',
            metric: 'token_f1',
            current: 0.8125,
            baseline: 0.8125,
            detectedByRunId: 'r3',
            datasetId: 'ds-1',
            pValue: 1,
            meanDifference: 0,
          },
        },
      ]);
    });

    it('resolves when a run is still significantly lower but within the threshold of the baseline', () => {
      const almost = all(0.75).map((v, i) => v - i / 1024); // drops 0.0625 + i/1024, all distinct: p = 2/256
      const [event] = later(run({ token_f1: almost }));
      expect(event).toMatchObject({ type: 'DriftResolved', payload: { pValue: 0.0078125 } });
    });
  });
});
