import type { CaseFailedPayload, RunRequested, ScheduledCase } from '@evalvault/contracts';
import { metricByName, readDataset } from '@evalvault/evaluation';
import {
  contextCausedBy,
  envelop,
  WrongExpectedRevisionError,
  type EnvelopeSources,
  type EventStore,
} from '@evalvault/platform';
import type { Logger } from 'pino';
import { isTerminal } from '../run/run.decider.js';
import { batchStreamId, runStreamId, type RunRepository } from '../run/run.repository.js';
import type { DatasetContentSource } from './dataset-content.port.js';

type PlannedRow =
  | { kind: 'case'; scheduled: ScheduledCase }
  | { kind: 'invalid'; failure: Omit<CaseFailedPayload, 'runId' | 'usage'> };

const FAILURES_PER_APPEND = 200;

/**
 * Turns a requested run into work: counts its cases (streaming the dataset once), starts
 * the run with that count, then streams it again into CaseBatchScheduled batches, each its
 * own stream so the work topic spreads them over workers. Every step is idempotent, so a
 * redelivered RunRequested after a crash schedules nothing twice.
 */
/**
 * Cases per work message: small when a judge is called (a batch must be scored well inside a lease), large
 * otherwise.
 */
export interface BatchSizes {
  judged: number;
  deterministic: number;
}

/**
 * Deterministic metrics score a case in well under a millisecond, so a batch of them costs
 * mostly its events; a run with any LLM-judged metric waits on the provider for each case.
 */
export function batchSizeFor(metrics: readonly string[], sizes: BatchSizes): number {
  const judged = metrics.some((name) => {
    try {
      return metricByName(name).kind !== 'deterministic';
    } catch {
      return true; // an unknown metric fails each case quickly; the small size is the safe choice
    }
  });
  return judged ? sizes.judged : sizes.deterministic;
}

/**
 * A work batch also ends at about this many bytes of cases: large cases (long contexts) must not
 * make one event bigger than a Kafka message may be (1 MiB by default).
 */
export const MAX_BATCH_BYTES = 256 * 1024;

function approximateBytes(scheduled: ScheduledCase): number {
  const { testCase } = scheduled;
  let bytes = 64 + testCase.id.length + testCase.question.length + testCase.answer.length;
  bytes += (testCase.groundTruth?.length ?? 0) + (testCase.metadataJson?.length ?? 0);
  for (const context of testCase.contexts) bytes += context.length + 4;
  return bytes;
}

/**
 * Work batches appended at once: each is a stream of its own, so their appends are independent;
 * one after another, each waited for its round trips while the cores had other work.
 */
const SCHEDULE_APPENDS_IN_FLIGHT = 4;

/** Up to `size` appends in flight; the first failure is thrown by the next `add` or by `drain`. */
class AppendWindow {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly size: number) {}

  async add(append: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    const task: Promise<void> = append()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
    if (this.pending.size >= this.size) await Promise.race(this.pending);
    this.throwIfFailed();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

export class RunPlanner {
  constructor(
    private readonly runs: RunRepository,
    private readonly store: EventStore,
    private readonly sources: EnvelopeSources,
    private readonly datasets: DatasetContentSource,
    private readonly batchSizes: BatchSizes,
    private readonly logger: Logger,
  ) {}

  async plan(requested: RunRequested): Promise<void> {
    const context = contextCausedBy(requested);
    const streamId = runStreamId(requested.payload.runId);
    const { state } = await this.runs.load(streamId);
    if (state.status === 'none') {
      // Not in our store, so not ours to plan (a stray or replayed message): nothing to do.
      this.logger.warn(
        { runId: requested.payload.runId, eventId: requested.eventId },
        'RunRequested for a run the store does not have; ignored',
      );
      return;
    }
    if (isTerminal(state)) return;
    let rows: () => AsyncIterable<PlannedRow>;
    let total = 0;
    try {
      rows = await this.rowsOf(requested);
      for await (const _row of rows()) total++;
    } catch (error) {
      await this.runs.handle(
        streamId,
        { type: 'FailRun', reason: 'dataset_unreadable', message: (error as Error).message },
        context,
      );
      return;
    }
    await this.runs.handle(streamId, { type: 'StartRun', totalCases: total }, context);

    const batchSize = batchSizeFor(requested.payload.metrics, this.batchSizes);
    let batch: ScheduledCase[] = [];
    let batchBytes = 0;
    let failures: CaseFailedPayload[] = [];
    let batchNo = 0;
    const appends = new AppendWindow(SCHEDULE_APPENDS_IN_FLIGHT);
    for await (const row of rows()) {
      if (row.kind === 'case') {
        batch.push(row.scheduled);
        batchBytes += approximateBytes(row.scheduled);
      } else failures.push({ runId: requested.payload.runId, ...row.failure, usage: null });
      if (batch.length === batchSize || batchBytes >= MAX_BATCH_BYTES) {
        const cases = batch;
        const no = batchNo++;
        await appends.add(() => this.schedule(requested, no, cases));
        batch = [];
        batchBytes = 0;
      }
      if (failures.length === FAILURES_PER_APPEND) {
        await this.runs.handle(
          streamId,
          { type: 'RecordCases', runId: requested.payload.runId, results: [], failures },
          context,
        );
        failures = [];
      }
    }
    if (batch.length > 0) {
      const cases = batch;
      const no = batchNo++;
      await appends.add(() => this.schedule(requested, no, cases));
    }
    await appends.drain();
    if (failures.length > 0)
      await this.runs.handle(
        streamId,
        { type: 'RecordCases', runId: requested.payload.runId, results: [], failures },
        context,
      );
    this.logger.info({ runId: requested.payload.runId, totalCases: total, batches: batchNo }, 'run planned');
  }

  private async schedule(requested: RunRequested, batchNo: number, cases: ScheduledCase[]): Promise<void> {
    const streamId = batchStreamId(requested.payload.runId, batchNo);
    const events = envelop(
      streamId,
      [{ type: 'CaseBatchScheduled', payload: { runId: requested.payload.runId, batchNo, cases } }],
      contextCausedBy(requested),
      this.sources,
    );
    try {
      await this.store.append(streamId, events, 'no_stream');
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error; // already scheduled before a crash
    }
  }

  /** A re-readable source of the run's rows: inline cases, or the registered dataset streamed. */
  private async rowsOf(requested: RunRequested): Promise<() => AsyncIterable<PlannedRow>> {
    const inline = requested.payload.inlineCases;
    if (inline) {
      // Rows the client rejected follow the cases, so the cases keep their indexes (a retry of failed cases
      // relies on them).
      const rejected = requested.payload.rejectedRows ?? [];
      return async function* () {
        for (const [caseIndex, testCase] of inline.entries())
          yield { kind: 'case', scheduled: { caseIndex, line: null, testCase } };
        for (const [offset, row] of rejected.entries()) {
          yield {
            kind: 'invalid',
            failure: {
              caseId: null,
              caseIndex: inline.length + offset,
              line: row.line,
              errorCode: row.errorCode,
              reason: row.reason,
            },
          };
        }
      };
    }
    await this.datasets.open(requested.payload.dataset); // fails early, before the run starts, if unreadable
    const datasets = this.datasets;
    return async function* () {
      const { content, format } = await datasets.open(requested.payload.dataset);
      for await (const row of readDataset(content, format)) {
        if (row.kind === 'case') {
          const { testCase } = row;
          yield {
            kind: 'case',
            scheduled: {
              caseIndex: row.index,
              line: row.line,
              testCase: {
                id: testCase.id,
                question: testCase.question,
                answer: testCase.answer,
                contexts: testCase.contexts,
                groundTruth: testCase.groundTruth,
                metadataJson: testCase.metadata ? JSON.stringify(testCase.metadata) : null,
              },
            },
          };
        } else if (row.kind === 'invalid') {
          yield {
            kind: 'invalid',
            failure: {
              caseId: row.caseId,
              caseIndex: row.index,
              line: row.line,
              errorCode: row.errorCode,
              reason: row.reason,
            },
          };
        }
      }
    };
  }
}
