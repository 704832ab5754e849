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

  describe('drift', () => {
    const history = [
      started('2026-01-01T01:00:00Z', 'r1'),
      started('2026-01-01T02:00:00Z', 'r2'),
      started('2026-01-01T03:00:00Z', 'r3'),
    ];
    const given = [created, ...history];
    const previous = [{ token_f1: 0.875 }, { token_f1: 0.75 }];
    const detected: ScheduleEvent = {
      type: 'DriftDetected',
      payload: {
        scheduleId,
        runId: 'r3',
        metric: 'token_f1',
        current: 0.5,
        baseline: 0.8125,
        drop: 0.3125,
        threshold: 0.125,
        baselineRunIds: ['r1', 'r2'],
        datasetId: 'ds-1',
      },
    };

    it('detects a drop beyond the threshold below the mean of the previous runs', () => {
      spec
        .given(given)
        .when({ type: 'AssessDrift', runId: 'r3', current: { token_f1: 0.5 }, previous, runIds: ['r1', 'r2'] })
        .then([detected]);
      spec
        .given(given)
        .when({ type: 'AssessDrift', runId: 'r3', current: { token_f1: 0.8 }, previous, runIds: ['r1', 'r2'] })
        .then([]);
    });

    it('raises one DriftDetected per episode, resolved when the metric recovers', () => {
      const r4 = started('2026-01-01T04:00:00Z', 'r4');
      const later = { previous: [...previous, { token_f1: 0.5 }], runIds: ['r1', 'r2', 'r3'] };
      spec
        .given([...given, detected, r4])
        .when({ type: 'AssessDrift', runId: 'r4', current: { token_f1: 0.25 }, ...later })
        .then([]);
      spec
        .given([...given, detected])
        .when({ type: 'AssessDrift', runId: 'r3', current: { token_f1: 0.5 }, previous, runIds: ['r1', 'r2'] })
        .then([]);
      spec
        .given([...given, detected, r4])
        .when({ type: 'AssessDrift', runId: 'r4', current: { token_f1: 0.75 }, ...later })
        .then([
          {
            type: 'DriftResolved',
            payload: {
              scheduleId,
              runId: 'r4',
              metric: 'token_f1',
              current: 0.75,
              baseline: 0.8125,
              detectedByRunId: 'r3',
              datasetId: 'ds-1',
            },
          },
        ]);
    });

    it('has no baseline before the first finished run, and ignores runs it did not start', () => {
      spec
        .given(given)
        .when({ type: 'AssessDrift', runId: 'r1', current: { token_f1: 0.1 }, previous: [], runIds: [] })
        .then([]);
      spec
        .given(given)
        .when({ type: 'AssessDrift', runId: 'other', current: { token_f1: 0.1 }, previous, runIds: ['r1', 'r2'] })
        .then([]);
    });
  });
});
