import { randomUUID } from 'node:crypto';
import { caseEvaluatedPayload, type EvalVaultEvent, type EventOfType, type TestCase } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import type { EventStore } from '@evalvault/platform';

export interface CompletedRun {
  runId: string;
  cases: TestCase[];
  /** What the runs service publishes last: the event that triggers exports. */
  completed: EventOfType<'RunCompleted'>;
}

/** A case per index: its question, answer and two retrieved contexts. */
export const sampleCase = (index: number): TestCase => ({
  id: `case-${index}`,
  question: `What does clause ${index} of the policy say?`,
  answer: `Clause ${index} says refunds take ${index + 1} days.`,
  contexts: [`Clause ${index}: refunds take ${index + 1} days.`, `Clause ${index} applies to every order.`],
  groundTruth: `${index + 1} days`,
  metadataJson: null,
});

/**
 * A run as the runs service leaves it in the event store: RunRequested, its batch of scheduled cases
 * (runbatch-<id>-0), CaseEvaluated for all cases but the last, CaseFailed for the last, RunCompleted. Returns
 * the RunCompleted to publish, stamped now so exports created before it take it.
 */
export async function appendCompletedRun(
  store: EventStore,
  scope: { tenantId: string; projectId: string },
  caseCount = 3,
): Promise<CompletedRun> {
  const runId = randomUUID();
  const streamId = `run-${runId}`;
  const envelope = { ...scope, streamId };
  const cases = Array.from({ length: caseCount }, (_, index) => sampleCase(index));
  const base = sampleRunRequested(envelope);
  const requested: EvalVaultEvent = {
    ...base,
    occurredAt: Date.now() - 5_000,
    payload: {
      ...base.payload,
      runId,
      metrics: ['token_f1', 'faithfulness'],
      inlineCases: null,
      labels: { branch: 'main' },
    },
  };
  const scores = (index: number): { metric: string; score: number; explanation: string }[] => [
    { metric: 'token_f1', score: 0.5 + index / 10, explanation: `token overlap of case ${index}` },
    { metric: 'faithfulness', score: 0.9, explanation: 'every sentence is supported' },
  ];
  const evaluated = cases.slice(0, -1).map((test, index) => ({
    caseId: test.id,
    caseIndex: index,
    scores: scores(index),
    durationMs: 120 + index,
    usage: null,
  }));
  const last = caseCount - 1;
  const completed = {
    ...testEvent(
      'RunCompleted',
      {
        runId,
        totalCases: caseCount,
        evaluatedCases: caseCount - 1,
        failedCases: 1,
        aggregates: [
          { metric: 'token_f1', count: caseCount - 1, mean: 0.55, min: 0.5, max: 0.6, p10: 0.51, p50: 0.55, p90: 0.59 },
          { metric: 'faithfulness', count: caseCount - 1, mean: 0.9, min: 0.9, max: 0.9, p10: 0.9, p50: 0.9, p90: 0.9 },
        ],
        durationMs: 4_000,
        usage: null,
      },
      envelope,
    ),
    occurredAt: Date.now(),
  };
  await store.append(
    streamId,
    [
      requested,
      testEvent('CaseEvaluated', caseEvaluatedPayload(runId, evaluated), envelope),
      testEvent(
        'CaseFailed',
        {
          runId,
          caseId: cases[last]!.id,
          caseIndex: last,
          line: null,
          errorCode: 'JUDGE_TIMEOUT',
          reason: 'no answer',
          usage: null,
        },
        envelope,
      ),
      completed,
    ],
    'no_stream',
  );
  await store.append(
    `runbatch-${runId}-0`,
    [
      testEvent(
        'CaseBatchScheduled',
        { runId, batchNo: 0, cases: cases.map((testCase, caseIndex) => ({ caseIndex, line: null, testCase })) },
        { ...scope, streamId: `runbatch-${runId}-0` },
      ),
    ],
    'no_stream',
  );
  return { runId, cases, completed };
}
