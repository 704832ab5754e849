import {
  caseEvaluatedPayload,
  evaluatedCases,
  type CaseEvaluatedPayload,
  type CaseFailedPayload,
  type EvaluatedCase,
  type LlmUsage,
  type RunRequestedPayload,
} from '@evalvault/contracts';
import { deciderSpec } from '@evalvault/platform/testing';
import type { BaselineRun, GateBaseline, LearnedBaselines } from '@evalvault/evaluation';
import {
  allCasesAccounted,
  decideRun,
  evolveRun,
  evolveRunWith,
  initialRunState,
  MAX_CASES_PER_EVENT,
  type RunCommand,
  type RunEvent,
} from './run.decider.js';
import { RunErrorCode } from './run.errors.js';

const run = deciderSpec({ decide: decideRun, evolve: evolveRun, initialState: initialRunState });
const runId = 'run-1';
const request: RunRequestedPayload = {
  runId,
  dataset: { id: 'ds-1', name: 'qa', version: 1, contentHash: 'h' },
  prompt: null,
  modelProfile: null,
  metrics: ['token_f1'],
  gateRules: ['mean(token_f1) >= 0.5'],
  evaluatorVersion: '0.1.0',
  configHash: 'config-a',
  labels: {},
  retryOf: null,
  inlineCases: null,
  rejectedRows: null,
  missingBaseline: 'fail',
  judge: null,
  policy: null,
  memory: null,
  plugins: null,
};
const scored = (caseIndex: number, score = 1): EvaluatedCase => ({
  caseId: `c${caseIndex}`,
  caseIndex,
  scores: [{ metric: 'token_f1', score, explanation: '' }],
  durationMs: 5,
  usage: { requests: 1, promptTokens: 10, completionTokens: 2, costUsd: 0.001, cacheHits: 0 },
});
const evaluated = (caseIndex: number, score = 1): CaseEvaluatedPayload =>
  caseEvaluatedPayload(runId, [scored(caseIndex, score)]);
const failed = (caseIndex: number, usage: LlmUsage | null = null): CaseFailedPayload => ({
  runId,
  caseId: null,
  caseIndex,
  line: caseIndex + 1,
  errorCode: 'INVALID_CASE',
  reason: 'no answer',
  usage,
});
const requested: RunEvent = { type: 'RunRequested', payload: request };
const started = (totalCases: number): RunEvent => ({ type: 'RunStarted', payload: { runId, totalCases } });
/** CompleteRun as the completer sends it: with the scores of the history's evaluated cases, read from the stream. */
const completeAfter = (history: readonly RunEvent[]): Extract<RunCommand, { type: 'CompleteRun' }> => {
  const scores = new Map<string, number[]>();
  for (const event of history)
    if (event.type === 'CaseEvaluated')
      for (const { metric, score } of evaluatedCases(event.payload).flatMap((c) => c.scores))
        scores.set(metric, [...(scores.get(metric) ?? []), score]);
  return { type: 'CompleteRun', scope: { tenant: 't-1', project: 'p-1' }, baseline: null, durationMs: 1200, scores };
};
const gateOf = (actual: number, passed: boolean) => ({
  gateId: expect.stringMatching(/^[0-9a-f]{16,}$/) as unknown as string,
  baselineRunId: null,
  baselineSource: null,
  subject: { runId, dataset: request.dataset, prompt: null, modelProfile: null, configHash: 'config-a' },
  rules: [
    {
      rule: 'mean(token_f1) >= 0.5',
      metric: 'token_f1',
      aggregate: 'mean',
      comparator: '>=',
      threshold: 0.5,
      actual,
      passed,
      baselineValue: null,
      noBaseline: false,
    },
  ],
});

describe('run lifecycle', () => {
  it('is requested once; a retried request with the same configuration changes nothing', () => {
    run.given([]).when({ type: 'RequestRun', request }).then([requested]);
    run.given([requested]).when({ type: 'RequestRun', request }).then([]);
    run
      .given([requested])
      .when({ type: 'RequestRun', request: { ...request, configHash: 'config-b' } })
      .thenThrows(expect.objectContaining({ code: RunErrorCode.AlreadyExists }));
  });

  it('starts once with its case count', () => {
    run
      .given([requested])
      .when({ type: 'StartRun', totalCases: 3 })
      .then([started(3)]);
    run
      .given([requested, started(3)])
      .when({ type: 'StartRun', totalCases: 3 })
      .then([]);
    run
      .given([])
      .when({ type: 'StartRun', totalCases: 3 })
      .thenThrows(expect.objectContaining({ code: RunErrorCode.NotFound }));
  });

  it('records each case once, whatever is redelivered', () => {
    run
      .given([requested, started(3), { type: 'CaseEvaluated', payload: evaluated(0) }])
      .when({
        type: 'RecordCases',
        runId,
        results: [scored(0), scored(1), scored(1)],
        failures: [failed(2), failed(0)],
      })
      .then([
        { type: 'CaseEvaluated', payload: evaluated(1) },
        { type: 'CaseFailed', payload: failed(2) },
      ]);
  });

  it('records a batch of scored cases as one event, split at MAX_CASES_PER_EVENT', () => {
    const total = MAX_CASES_PER_EVENT + 5;
    const results = Array.from({ length: total }, (_, i) => scored(i));
    const events = decideRun(
      { type: 'RecordCases', runId, results, failures: [] },
      evolveRunWith(initialRunState, [requested, started(total)]),
    );
    expect(events.map((e) => e.type)).toEqual(['CaseEvaluated', 'CaseEvaluated']);
    expect(events.map((e) => evaluatedCases(e.payload as CaseEvaluatedPayload).length)).toEqual([
      MAX_CASES_PER_EVENT,
      5,
    ]);
    const after = evolveRunWith(evolveRunWith(initialRunState, [requested, started(total)]), events);
    expect(after.evaluated).toBe(total);
    expect(allCasesAccounted(after)).toBe(true);
    expect(after.evaluatedIndexes.size).toBe(total);
  });

  it('ignores cases beyond the run and refuses results before the start', () => {
    run
      .given([requested, started(1)])
      .when({ type: 'RecordCases', runId, results: [scored(5)], failures: [] })
      .then([]);
    run
      .given([requested])
      .when({ type: 'RecordCases', runId, results: [scored(0)], failures: [] })
      .thenThrows(expect.objectContaining({ code: RunErrorCode.NotRunning }));
  });

  it('drops late results of a cancelled run', () => {
    const cancelled: RunEvent = { type: 'RunCancelled', payload: { runId, reason: 'user' } };
    run
      .given([requested, started(2), cancelled])
      .when({ type: 'RecordCases', runId, results: [scored(0)], failures: [] })
      .then([]);
  });

  it('completes with counts, aggregates and the gate verdict it decides from the scores', () => {
    const history: RunEvent[] = [
      requested,
      started(3),
      { type: 'CaseEvaluated', payload: evaluated(0, 0.2) },
      { type: 'CaseEvaluated', payload: evaluated(1, 0.4) },
      { type: 'CaseFailed', payload: failed(2) },
    ];
    const aggregates = [
      {
        metric: 'token_f1',
        count: 2,
        mean: 0.30000000000000004,
        min: 0.2,
        max: 0.4,
        p10: 0.22,
        p50: 0.30000000000000004,
        p90: 0.38,
      },
    ];
    const usage = { requests: 2, promptTokens: 20, completionTokens: 4, costUsd: 0.002, cacheHits: 0 };
    run
      .given(history)
      .when(completeAfter(history))
      .then([
        {
          type: 'RunCompleted',
          payload: {
            runId,
            totalCases: 3,
            evaluatedCases: 2,
            failedCases: 1,
            aggregates: expect.any(Array) as never,
            durationMs: 1200,
            usage,
          },
        },
        { type: 'GateFailed', payload: gateOf(0.3, false) },
      ]);
    const [completed] = decideRun(completeAfter(history), evolveRunWith(initialRunState, history));
    expect(
      completed!.type === 'RunCompleted' && completed!.payload.aggregates.map((a) => [a.metric, a.count, a.min, a.max]),
    ).toEqual(aggregates.map((a) => [a.metric, a.count, a.min, a.max]));
    const passing: RunEvent[] = [requested, started(1), { type: 'CaseEvaluated', payload: evaluated(0, 0.9) }];
    run
      .given(passing)
      .when(completeAfter(passing))
      .then([
        expect.objectContaining({ type: 'RunCompleted' }) as RunEvent,
        { type: 'GatePassed', payload: gateOf(0.9, true) },
      ]);
  });

  it('reports in its usage what failed cases paid for before they failed', () => {
    // An unusable judge answer, then a second call that failed after the first was paid.
    const unusable = { requests: 3, promptTokens: 900, completionTokens: 60, costUsd: 0.25, cacheHits: 0 };
    const halfway = { requests: 1, promptTokens: 300, completionTokens: 20, costUsd: 0.125, cacheHits: 1 };
    const history: RunEvent[] = [
      requested,
      started(4),
      { type: 'CaseEvaluated', payload: evaluated(0, 0.9) },
      { type: 'CaseFailed', payload: failed(1, unusable) },
      { type: 'CaseFailed', payload: failed(2, halfway) },
      { type: 'CaseFailed', payload: failed(3) },
    ];
    run
      .given(history)
      .when(completeAfter(history))
      .then([
        {
          type: 'RunCompleted',
          payload: {
            runId,
            totalCases: 4,
            evaluatedCases: 1,
            failedCases: 3,
            aggregates: expect.any(Array) as never,
            durationMs: 1200,
            usage: { requests: 5, promptTokens: 1210, completionTokens: 82, costUsd: 0.376, cacheHits: 1 },
          },
        },
        { type: 'GatePassed', payload: gateOf(0.9, true) },
      ]);
    const allFailed: RunEvent[] = [requested, started(1), { type: 'CaseFailed', payload: failed(0, unusable) }];
    run
      .given(allFailed)
      .when(completeAfter(allFailed))
      .then([
        expect.objectContaining({ payload: expect.objectContaining({ failedCases: 1, usage: unusable }) }) as RunEvent,
        expect.objectContaining({ type: 'GateFailed' }) as RunEvent,
      ]);
  });

  it('counts the usage of a failed case once, however often its failure is redelivered', () => {
    const paid = { requests: 2, promptTokens: 600, completionTokens: 40, costUsd: 0.25, cacheHits: 0 };
    const history: RunEvent[] = [requested, started(2), { type: 'CaseFailed', payload: failed(1, paid) }];
    run
      .given(history)
      .when({ type: 'RecordCases', runId, results: [scored(0)], failures: [failed(1, paid)] })
      .then([{ type: 'CaseEvaluated', payload: evaluated(0) }]);
    const state = evolveRunWith(initialRunState, [...history, { type: 'CaseEvaluated', payload: evaluated(0) }]);
    expect(state.usage).toEqual({ requests: 3, promptTokens: 610, completionTokens: 42, costUsd: 0.251, cacheHits: 0 });
  });

  describe('gates against the baseline', () => {
    const gatedBy = (rules: string[], missingBaseline = 'fail'): RunEvent[] => [
      { type: 'RunRequested', payload: { ...request, gateRules: rules, missingBaseline } },
      started(4),
      {
        type: 'CaseEvaluated',
        payload: caseEvaluatedPayload(
          runId,
          [0.9, 0.6, 0.5, 0.8].map((x, i) => scored(i, x)),
        ),
      },
    ];
    const completeAgainst = (history: RunEvent[], baseline: GateBaseline | null) =>
      decideRun({ ...completeAfter(history), baseline }, evolveRunWith(initialRunState, history))[1];
    const baseline: BaselineRun = { runId: 'run-0', scores: new Map([['token_f1', [0.9, 0.8, 0.75, 0.2]]]) };

    it("judges every aggregate against the baseline run's cases, pass rates and percentiles included", () => {
      const history = gatedBy([
        'mean(token_f1) >= baseline - 0.1',
        'pass_rate(token_f1, 0.7) >= baseline',
        'p10(token_f1) >= baseline - 0.05',
      ]);
      expect(completeAgainst(history, baseline)).toMatchObject({
        type: 'GateFailed',
        payload: {
          baselineRunId: 'run-0',
          rules: [
            // baseline mean 0.6625 - 0.1; run mean 0.7
            { threshold: 0.5625, actual: 0.7, passed: true, baselineValue: 0.6625, noBaseline: false },
            // baseline passes 3 of 4 cases at 0.7, the run 2 of 4
            { threshold: 0.75, actual: 0.5, passed: false, baselineValue: 0.75, noBaseline: false },
            // baseline p10 0.2 + 0.3 * 0.55 = 0.365, - 0.05; run p10 0.5 + 0.3 * 0.1 = 0.53
            { threshold: 0.315, actual: 0.53, passed: true, baselineValue: 0.365, noBaseline: false },
          ],
        },
      });
    });

    it('fails a baseline rule when there is no baseline yet, and says so in the verdict', () => {
      expect(completeAgainst(gatedBy(['mean(token_f1) >= baseline - 0.1']), null)).toMatchObject({
        type: 'GateFailed',
        payload: { baselineRunId: null, rules: [{ actual: 0.7, passed: false, noBaseline: true }] },
      });
    });

    it("judges a run that uses memory against the learned baseline, and names the learning's version", () => {
      const learned: LearnedBaselines = {
        source: 'memory',
        learnings: new Map([
          [
            'token_f1',
            {
              learningId: 'l'.repeat(32),
              version: 2,
              runId: 'run-0',
              mean: 0.8,
              p10: 0.3,
              p50: 0.8,
              p90: 0.9,
              passRate: 1,
            },
          ],
        ]),
      };
      // Run scores [0.9, 0.6, 0.5, 0.8]: mean 0.7 < learned 0.8 - 0.05 = 0.75; pass rate at 0.5: 4/4 = 1 >= 1 - 0.1.
      const history = gatedBy(['mean(token_f1) >= baseline - 0.05', 'pass_rate(token_f1, 0.5) >= baseline - 0.1']);
      expect(completeAgainst(history, learned)).toMatchObject({
        type: 'GateFailed',
        payload: {
          baselineRunId: null,
          baselineSource: {
            kind: 'memory',
            learnings: [{ metric: 'token_f1', learningId: 'l'.repeat(32), version: 2, runId: 'run-0' }],
          },
          rules: [
            { threshold: 0.75, actual: 0.7, passed: false, baselineValue: 0.8, noBaseline: false },
            { threshold: 0.9, actual: 1, passed: true, baselineValue: 1, noBaseline: false },
          ],
        },
      });
    });

    it('passes it instead when the run was submitted with missingBaseline pass', () => {
      expect(completeAgainst(gatedBy(['mean(token_f1) >= baseline'], 'pass'), null)).toMatchObject({
        type: 'GatePassed',
        payload: { baselineRunId: null, rules: [{ passed: true, noBaseline: true }] },
      });
    });
  });

  it('completes a run without gate rules with no gate event: its verdict is none', () => {
    const ungated: RunEvent[] = [
      { type: 'RunRequested', payload: { ...request, gateRules: [] } },
      started(1),
      { type: 'CaseEvaluated', payload: evaluated(0, 0.2) },
    ];
    run
      .given(ungated)
      .when(completeAfter(ungated))
      .then([expect.objectContaining({ type: 'RunCompleted' }) as RunEvent]);
  });

  it('refuses to complete while cases are missing, and completes only once', () => {
    const halfway: RunEvent[] = [requested, started(2), { type: 'CaseEvaluated', payload: evaluated(0) }];
    run
      .given(halfway)
      .when(completeAfter(halfway))
      .thenThrows(expect.objectContaining({ code: RunErrorCode.Incomplete }));
    const done: RunEvent = {
      type: 'RunCompleted',
      payload: { runId, totalCases: 0, evaluatedCases: 0, failedCases: 0, aggregates: [], durationMs: 0, usage: null },
    };
    run
      .given([requested, started(0), done])
      .when(completeAfter([]))
      .then([]);
  });

  it('fails or cancels an unfinished run, but never a finished one', () => {
    run
      .given([requested, started(2)])
      .when({ type: 'FailRun', reason: 'budget', message: 'budget of $5 exceeded' })
      .then([
        {
          type: 'RunFailed',
          payload: {
            runId,
            reason: 'budget',
            message: 'budget of $5 exceeded',
            subject: { runId, dataset: request.dataset, prompt: null, modelProfile: null, configHash: 'config-a' },
          },
        },
      ]);
    run
      .given([requested])
      .when({ type: 'CancelRun', reason: null })
      .then([{ type: 'RunCancelled', payload: { runId, reason: null } }]);
    const failedRun: RunEvent = {
      type: 'RunFailed',
      payload: { runId, reason: 'internal', message: 'x', subject: null },
    };
    run.given([requested, failedRun]).when({ type: 'FailRun', reason: 'budget', message: 'again' }).then([]);
    run
      .given([requested, failedRun])
      .when({ type: 'CancelRun', reason: null })
      .thenThrows(expect.objectContaining({ code: RunErrorCode.Finished }));
  });
});

describe('run state', () => {
  it('tracks usage and completeness', () => {
    const state = evolveRunWith(initialRunState, [
      requested,
      started(2),
      { type: 'CaseEvaluated', payload: evaluated(0, 0.5) },
      { type: 'CaseEvaluated', payload: evaluated(1, 1) },
    ]);
    expect(state.usage).toEqual({ requests: 2, promptTokens: 20, completionTokens: 4, costUsd: 0.002, cacheHits: 0 });
    expect(allCasesAccounted(state)).toBe(true);
    expect(initialRunState.accounted.size).toBe(0); // evolving never touches earlier states
  });
});
