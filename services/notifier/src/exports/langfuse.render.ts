import type { ExportedCase, ExportedRun } from './run-results.js';
import { exportUuid } from './export-ids.js';
import { versionLabel } from '../destinations/message.js';

/** One event of Langfuse's ingestion API: an envelope (id, type, timestamp) around the trace or score. */
export interface LangfuseEvent {
  id: string;
  type: 'trace-create' | 'score-create';
  timestamp: string;
  body: Record<string, unknown>;
}

/** Langfuse limits a batch to 3.5 MB; batches stay well under it. */
export const LANGFUSE_MAX_BATCH_BYTES = 3_000_000;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The trace of a case, which its scores and its dataset run item name. */
export const langfuseCaseTraceId = (notificationId: string, caseIndex: number): string =>
  exportUuid(notificationId, 'langfuse-trace', caseIndex);

function caseTrace(run: ExportedRun, one: ExportedCase, notificationId: string, tags: string[]): LangfuseEvent[] {
  const traceId = langfuseCaseTraceId(notificationId, one.caseIndex);
  const at = iso(run.completedAt);
  const trace: LangfuseEvent = {
    id: exportUuid(notificationId, 'langfuse-event', 'trace', one.caseIndex),
    type: 'trace-create',
    timestamp: at,
    body: {
      id: traceId,
      timestamp: at,
      name: `evalvault case ${one.caseId ?? one.caseIndex}`,
      sessionId: `evalvault-run-${run.runId}`,
      input: one.input ? { question: one.input.question, contexts: one.input.contexts } : null,
      output: one.input ? one.input.answer : null,
      metadata: {
        evalvaultRunId: run.runId,
        caseIndex: one.caseIndex,
        caseId: one.caseId,
        status: one.status,
        groundTruth: one.input?.groundTruth ?? null,
        error: one.error,
        configHash: run.configHash,
      },
      tags,
    },
  };
  const scores = one.scores.map(
    (score): LangfuseEvent => ({
      id: exportUuid(notificationId, 'langfuse-event', 'score', one.caseIndex, score.metric),
      type: 'score-create',
      timestamp: at,
      body: {
        id: exportUuid(notificationId, 'langfuse-score', one.caseIndex, score.metric),
        traceId,
        name: score.metric,
        value: score.score,
        dataType: 'NUMERIC',
        comment: score.explanation.slice(0, 2_000),
      },
    }),
  );
  return [trace, ...scores];
}

/** The run itself: one trace with the run's pins and aggregates, and a `<metric>.mean` score per metric. */
function runTrace(run: ExportedRun, notificationId: string, tags: string[]): LangfuseEvent[] {
  const traceId = exportUuid(notificationId, 'langfuse-trace', 'run');
  const at = iso(run.completedAt);
  const trace: LangfuseEvent = {
    id: exportUuid(notificationId, 'langfuse-event', 'trace', 'run'),
    type: 'trace-create',
    timestamp: at,
    body: {
      id: traceId,
      timestamp: at,
      name: `evalvault run ${run.runId}`,
      sessionId: `evalvault-run-${run.runId}`,
      metadata: {
        evalvaultRunId: run.runId,
        project: run.projectId,
        dataset: versionLabel(run.dataset),
        prompt: versionLabel(run.prompt),
        modelProfile: versionLabel(run.modelProfile),
        configHash: run.configHash,
        counts: run.counts,
        aggregates: run.aggregates,
        verdict: run.verdict,
        labels: run.labels,
      },
      tags,
    },
  };
  const scores = run.aggregates.map(
    (aggregate): LangfuseEvent => ({
      id: exportUuid(notificationId, 'langfuse-event', 'score', 'run', aggregate.metric),
      type: 'score-create',
      timestamp: at,
      body: {
        id: exportUuid(notificationId, 'langfuse-score', 'run', aggregate.metric),
        traceId,
        name: `${aggregate.metric}.mean`,
        value: aggregate.mean,
        dataType: 'NUMERIC',
        comment: `mean of ${aggregate.count} cases; p10 ${aggregate.p10}, p50 ${aggregate.p50}, p90 ${aggregate.p90}`,
      },
    }),
  );
  return [trace, ...scores];
}

/** Every event of a run's export: the run's trace, then a trace with its scores per case. */
export function langfuseEvents(run: ExportedRun, notificationId: string): LangfuseEvent[] {
  const tags = ['evalvault', `project:${run.projectId}`, `dataset:${run.dataset.name ?? run.dataset.id}`];
  return [
    ...runTrace(run, notificationId, tags),
    ...run.cases.flatMap((one) => caseTrace(run, one, notificationId, tags)),
  ];
}

/** Events in batches under the size limit, in order (a trace before its scores). */
export function langfuseBatches(
  events: readonly LangfuseEvent[],
  maxBytes = LANGFUSE_MAX_BATCH_BYTES,
): LangfuseEvent[][] {
  const batches: LangfuseEvent[][] = [];
  let current: LangfuseEvent[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
