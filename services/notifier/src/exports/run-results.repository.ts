import type { EvalVaultEvent, TestCase } from '@evalvault/contracts';
import type { EventStore } from '@evalvault/platform';
import { exportedRun, type ExportedRun } from './run-results.js';

/**
 * Reads a completed run for an export from the event store, the platform's source of truth: the run's stream
 * (`run-<id>`) and its scheduled batches (`runbatch-<id>-<n>`, which carry each case's question, answer and
 * contexts; the runs service's query API has scores only). Reading published events needs no runs service up.
 */
export class RunResultsRepository {
  constructor(private readonly store: EventStore) {}

  async load(runId: string): Promise<ExportedRun> {
    const runEvents = (await this.store.readStream(`run-${runId}`)).map((record) => record.event);
    return exportedRun(runEvents, await this.scheduledCases(runId));
  }

  private async scheduledCases(runId: string): Promise<Map<number, TestCase>> {
    const cases = new Map<number, TestCase>();
    for (let batchNo = 0; ; batchNo++) {
      const records = await this.store.readStream(`runbatch-${runId}-${batchNo}`);
      if (records.length === 0) return cases;
      for (const { event } of records)
        for (const scheduled of scheduledOf(event)) cases.set(scheduled[0], scheduled[1]);
    }
  }
}

function scheduledOf(event: EvalVaultEvent): [number, TestCase][] {
  if (event.type !== 'CaseBatchScheduled') return [];
  return event.payload.cases.map((entry) => [entry.caseIndex, entry.testCase]);
}
