import type { DriftDetectedPayload, DriftResolvedPayload } from '@evalvault/contracts';
import { driftDetectedMessage, driftResolvedMessage } from './drift-message.js';

const v1: DriftDetectedPayload = {
  scheduleId: 'sch-1',
  runId: 'r3',
  metric: 'token_f1',
  current: 0.453125,
  baseline: 0.8125,
  drop: 0.359375,
  threshold: 0.125,
  baselineRunIds: ['r1', 'r2'],
  datasetId: 'ds-1',
  pairedCases: 0,
  pValue: null,
  interval: null,
  effectSize: null,
};

describe('drift messages', () => {
  it('name the means, the drop, the baseline runs and the paired statistics', () => {
    const v2 = {
      ...v1,
      pairedCases: 8,
      pValue: 0.0078125,
      interval: { low: -0.42578125, high: -0.29296875, confidence: 0.95 },
      effectSize: { cohensDz: -11.5 / Math.sqrt(6), rankBiserial: -1 },
    };
    expect(driftDetectedMessage(v2)).toBe(
      'token_f1 mean 0.4531 fell 0.3594 below the baseline 0.8125 of runs r1, r2 (threshold 0.125); ' +
        '8 paired cases; Wilcoxon p = 0.0078; 95% interval of the difference [-0.4258, -0.293]; ' +
        "Cohen's dz -4.6949, rank-biserial -1",
    );
    expect(driftDetectedMessage({ ...v2, effectSize: { cohensDz: null, rankBiserial: -1 } })).toContain(
      "Cohen's dz n/a",
    );
  });

  it('say only what a version 1 event carries', () => {
    expect(driftDetectedMessage(v1)).toBe(
      'token_f1 mean 0.4531 fell 0.3594 below the baseline 0.8125 of runs r1, r2 (threshold 0.125)',
    );
  });

  it('say why an episode ended', () => {
    const resolved: DriftResolvedPayload = {
      scheduleId: 'sch-1',
      runId: 'r4',
      metric: 'token_f1',
      current: 0.8125,
      baseline: 0.8125,
      detectedByRunId: 'r3',
      datasetId: 'ds-1',
      pValue: 1,
      meanDifference: 0,
    };
    expect(driftResolvedMessage(resolved)).toBe(
      'token_f1 mean 0.8125 is no longer significantly below the baseline 0.8125 (mean difference 0, Wilcoxon p = 1)',
    );
    expect(driftResolvedMessage({ ...resolved, pValue: null, meanDifference: null })).toBe(
      'token_f1 mean 0.8125 is back within the threshold of the baseline 0.8125',
    );
  });
});
