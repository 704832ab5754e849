import type { ScheduleCreatedPayload, VersionRef } from '@evalvault/contracts';
import { deciderSpec } from '@evalvault/platform/testing';
import { decideSchedule, evolveSchedule, initialScheduleState, type ScheduleEvent } from './schedule.decider.js';
import { ScheduleErrorCode } from './schedule.errors.js';

const spec = deciderSpec({ decide: decideSchedule, evolve: evolveSchedule, initialState: initialScheduleState });
const at = (iso: string): number => Date.parse(iso);
const scheduleId = 'sch-1';
const schedule: ScheduleCreatedPayload = {
  scheduleId,
  name: 'nightly',
  cron: '0 * * * *',
  timeZone: 'UTC',
  datasetId: 'ds-1',
  datasetVersion: null,
  metrics: ['token_f1'],
  gateRules: [],
  driftThreshold: 0.125,
  driftBaselineRuns: 3,
  notBefore: at('2026-01-01T00:10:00Z'),
};
const dataset: VersionRef = { id: 'ds-1', name: 'qa', version: 2, contentHash: 'h2' };
const created: ScheduleEvent = { type: 'ScheduleCreated', payload: schedule };
const started = (slot: string, runId: string, skippedSlots = 0): ScheduleEvent => ({
  type: 'ScheduledRunStarted',
  payload: { scheduleId, slot: at(slot), runId, skippedSlots, dataset },
});

describe('schedule decider', () => {
  it('creates a schedule once, refusing a bad time zone by name', () => {
    spec.given([]).when({ type: 'CreateSchedule', schedule }).then([created]);
    spec
      .given([created])
      .when({ type: 'CreateSchedule', schedule })
      .thenThrows(expect.objectContaining({ code: ScheduleErrorCode.WrongState }));
    spec
      .given([])
      .when({ type: 'CreateSchedule', schedule: { ...schedule, timeZone: 'Nowhere/Town' } })
      .thenThrows(expect.objectContaining({ field: 'timeZone' }));
  });

  it('starts the due slot once; after downtime once for all the missed ones', () => {
    const now = at('2026-01-01T03:20:00Z');
    spec
      .given([created])
      .when({ type: 'StartSlot', now, runId: 'r1', dataset })
      .then([started('2026-01-01T03:00:00Z', 'r1', 2)]);
    spec
      .given([created, started('2026-01-01T03:00:00Z', 'r1', 2)])
      .when({ type: 'StartSlot', now, runId: 'r2', dataset })
      .then([]);
  });

  it('starts nothing before the first slot, while paused, or for slots missed while paused', () => {
    spec
      .given([created])
      .when({ type: 'StartSlot', now: at('2026-01-01T00:59:00Z'), runId: 'r', dataset })
      .then([]);
    const paused: ScheduleEvent = { type: 'SchedulePaused', payload: { scheduleId, reason: null } };
    spec
      .given([created, paused])
      .when({ type: 'StartSlot', now: at('2026-01-01T05:00:00Z'), runId: 'r', dataset })
      .then([]);
    const resumed: ScheduleEvent = {
      type: 'ScheduleResumed',
      payload: { scheduleId, notBefore: at('2026-01-01T05:30:00Z') },
    };
    spec
      .given([created, paused, resumed])
      .when({ type: 'StartSlot', now: at('2026-01-01T05:45:00Z'), runId: 'r', dataset })
      .then([]);
  });

  it('refuses commands on a deleted schedule as on a missing one', () => {
    const deleted: ScheduleEvent = { type: 'ScheduleDeleted', payload: { scheduleId } };
    spec
      .given([created, deleted])
      .when({ type: 'PauseSchedule', reason: null })
      .thenThrows(expect.objectContaining({ code: ScheduleErrorCode.NotFound }));
  });

  describe('drift (the rule itself: drift.spec.ts)', () => {
    const history = [
      started('2026-01-01T01:00:00Z', 'r1'),
      started('2026-01-01T02:00:00Z', 'r2'),
      started('2026-01-01T03:00:00Z', 'r3'),
    ];
    const given = [created, ...history];
    /** Cases c1…c6 scored on token_f1. */
    const run = (values: readonly number[]) =>
      Object.fromEntries(values.map((value, index) => [`c${index + 1}`, { token_f1: value }]));
    const steady = (value: number) => run(new Array<number>(6).fill(value));
    const scores = { r1: steady(0.875), r2: steady(0.75) }; // every case's baseline: 0.8125
    // Six distinct drops, 0.3125 + k/32 (k = 0…5): mean drop 0.390625; W+ = 0, exact p = 2/2⁶.
    const degraded = run([0.5, 0.46875, 0.4375, 0.40625, 0.375, 0.34375]);
    const assess = (runId: string, current: ReturnType<typeof run>, runIds = ['r1', 'r2']) => ({
      type: 'AssessDrift' as const,
      runId,
      current,
      runIds,
      scores: { ...scores, r3: degraded },
    });
    const detected: ScheduleEvent = {
      type: 'DriftDetected',
      payload: {
        scheduleId,
        runId: 'r3',
        metric: 'token_f1',
        current: 0.421875,
        baseline: 0.8125,
        drop: 0.390625,
        threshold: 0.125,
        baselineRunIds: ['r1', 'r2'],
        datasetId: 'ds-1',
        pairedCases: 6,
        pValue: 0.03125,
        interval: { low: expect.any(Number), high: expect.any(Number), confidence: 0.95 },
        effectSize: { cohensDz: expect.any(Number), rankBiserial: -1 },
      },
    };
    const r4 = started('2026-01-01T04:00:00Z', 'r4');

    it('detects a significant paired drop beyond the threshold below the previous runs', () => {
      spec.given(given).when(assess('r3', degraded)).then([detected]);
      spec
        .given(given)
        .when(assess('r3', steady(0.8125)))
        .then([]);
    });

    it('raises one DriftDetected per episode, resolved against its baseline runs when the metric recovers', () => {
      // r4's last two runs are r2 and the degraded r3: the episode compares with r1 and r2, as detected.
      spec
        .given([...given, detected, r4])
        .when(assess('r4', degraded, ['r1', 'r2', 'r3']))
        .then([]);
      spec
        .given([...given, detected])
        .when(assess('r3', degraded))
        .then([]);
      const recovered = run([0.875, 0.75, 0.84375, 0.78125, 0.90625, 0.71875]); // mean 0.8125: no change
      spec
        .given([...given, detected, r4])
        .when(assess('r4', recovered, ['r1', 'r2', 'r3']))
        .then([
          {
            type: 'DriftResolved',
            payload: {
              scheduleId,
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

    it('has no baseline before the first finished run, and ignores runs it did not start', () => {
      spec
        .given(given)
        .when({ ...assess('r1', steady(0.1), []), scores: {} })
        .then([]);
      spec.given(given).when(assess('other', degraded)).then([]);
    });
  });
});
