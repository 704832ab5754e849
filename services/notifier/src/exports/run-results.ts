import {
  evaluatedCases,
  type EvalVaultEvent,
  type LlmUsage,
  type MetricAggregate,
  type MetricScore,
  type TestCase,
  type VersionRef,
} from '@evalvault/contracts';

/** One case of a completed run as the trackers get it: what was asked and answered, and its scores. */
export interface ExportedCase {
  caseIndex: number;
  caseId: string | null;
  /** From the run's scheduled batches; null when the case was never scheduled (a row rejected at submission). */
  input: Pick<TestCase, 'question' | 'answer' | 'contexts' | 'groundTruth'> | null;
  status: 'evaluated' | 'failed';
  scores: MetricScore[];
  durationMs: number | null;
  error: string | null;
}

/** A completed run, read from its events: what it pinned, its aggregates and every case. */
export interface ExportedRun {
  runId: string;
  tenantId: string;
  projectId: string;
  dataset: VersionRef;
  prompt: VersionRef | null;
  modelProfile: VersionRef | null;
  configHash: string;
  evaluatorVersion: string;
  metrics: string[];
  gateRules: string[];
  labels: Record<string, string>;
  requestedAt: number;
  completedAt: number;
  durationMs: number;
  counts: { total: number; evaluated: number; failed: number };
  aggregates: MetricAggregate[];
  usage: LlmUsage | null;
  /** Known when the gate's verdict was recorded before the export was delivered; null otherwise or with no gate. */
  verdict: 'passed' | 'failed' | null;
  cases: ExportedCase[];
}

export class RunNotExportableError extends Error {}

/**
 * Folds a run's stream (RunRequested … RunCompleted, the gate's verdict if already there) and the test cases of
 * its scheduled batches into what the exports send. Pure: the repository reads, this decides.
 */
export function exportedRun(
  runEvents: readonly EvalVaultEvent[],
  scheduled: ReadonlyMap<number, TestCase>,
): ExportedRun {
  const requested = runEvents.find((event) => event.type === 'RunRequested');
  const completed = runEvents.find((event) => event.type === 'RunCompleted');
  if (requested?.type !== 'RunRequested') throw new RunNotExportableError('the run has no RunRequested event');
  if (completed?.type !== 'RunCompleted') throw new RunNotExportableError('the run has not completed');
  const cases = new Map<number, ExportedCase>();
  const inputOf = (index: number): ExportedCase['input'] => {
    const test = scheduled.get(index) ?? requested.payload.inlineCases?.[index];
    return test
      ? { question: test.question, answer: test.answer, contexts: test.contexts, groundTruth: test.groundTruth }
      : null;
  };
  let verdict: ExportedRun['verdict'] = null;
  for (const event of runEvents) {
    if (event.type === 'CaseEvaluated') {
      for (const one of evaluatedCases(event.payload))
        cases.set(one.caseIndex, {
          caseIndex: one.caseIndex,
          caseId: one.caseId,
          input: inputOf(one.caseIndex),
          status: 'evaluated',
          scores: one.scores,
          durationMs: one.durationMs,
          error: null,
        });
    } else if (event.type === 'CaseFailed') {
      const { caseIndex, caseId, errorCode, reason } = event.payload;
      cases.set(caseIndex, {
        caseIndex,
        caseId: caseId ?? null,
        input: inputOf(caseIndex),
        status: 'failed',
        scores: [],
        durationMs: null,
        error: `${errorCode}: ${reason}`,
      });
    } else if (event.type === 'GatePassed' || event.type === 'GateFailed') {
      verdict = event.type === 'GatePassed' ? 'passed' : 'failed';
    }
  }
  const r = requested.payload;
  const c = completed.payload;
  return {
    runId: r.runId,
    tenantId: requested.tenantId,
    projectId: requested.projectId,
    dataset: r.dataset,
    prompt: r.prompt ?? null,
    modelProfile: r.modelProfile ?? null,
    configHash: r.configHash,
    evaluatorVersion: r.evaluatorVersion,
    metrics: r.metrics,
    gateRules: r.gateRules,
    labels: r.labels,
    requestedAt: requested.occurredAt,
    completedAt: completed.occurredAt,
    durationMs: Number(c.durationMs),
    counts: { total: c.totalCases, evaluated: c.evaluatedCases, failed: c.failedCases },
    aggregates: c.aggregates,
    usage: c.usage ?? null,
    verdict,
    cases: [...cases.values()].sort((a, b) => a.caseIndex - b.caseIndex),
  };
}
