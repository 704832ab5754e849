import type { CaseBatchScheduled } from '@evalvault/contracts';
import type { EventStore } from '@evalvault/platform';
import { batchStreamId } from '../../run/run.repository.js';

/**
 * The run's work batches, read stream by stream (batch 0, 1, … until one is missing). Not with
 * `readAll`: it shows nothing newer than the oldest transaction still open anywhere in the
 * database, so another suite's open transaction would hide batches this test just scheduled.
 */
export async function scheduledBatches(store: EventStore, runId: string): Promise<CaseBatchScheduled[]> {
  const batches: CaseBatchScheduled[] = [];
  for (let batchNo = 0; ; batchNo++) {
    const [batch] = await store.readStream(batchStreamId(runId, batchNo), { maxCount: 1 });
    if (!batch) return batches;
    batches.push(batch.event as CaseBatchScheduled);
  }
}
