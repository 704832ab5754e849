import type { AttemptResult, DeliveryRequest, DestinationAdapter } from '../delivery/destination.port.js';
import type { HttpDeliveryOptions } from '../delivery/http-call.js';
import { exportUuid } from './export-ids.js';
import { runToExport } from './export-run.js';
import { LangfuseClient } from './langfuse-client.adapter.js';
import { langfuseDatasetRun, type LangfuseDatasetRun } from './langfuse-dataset.render.js';
import { langfuseBatches, langfuseEvents } from './langfuse.render.js';
import type { RunResultsRepository } from './run-results.repository.js';

/** Dataset items and run items are one request each: a few at a time, so a large run does not take minutes. */
const PARALLEL_REQUESTS = 4;

/**
 * Langfuse's public API (Basic auth, public key : secret key). First the traces, through the ingestion API
 * (POST /api/public/ingestion, in batches under 3.5 MB): one for the run and one per case with its scores.
 * Then the dataset run: the dataset (upserted on its name), an item per case (upserted on an id derived from
 * the dataset version and case) and a dataset run item per case linking its item to its trace. Every trace,
 * score and item id is derived, so an attempt made again updates what the last one sent. Langfuse takes no
 * id for a dataset run item, so every attempt first lists the run's items and creates only those missing.
 */
export class LangfuseAdapter implements DestinationAdapter {
  constructor(
    private readonly options: HttpDeliveryOptions,
    private readonly runs: RunResultsRepository,
  ) {}

  async deliver(request: DeliveryRequest): Promise<AttemptResult> {
    const { destination, notificationId } = request;
    if (destination.type !== 'langfuse') throw new Error(`LangfuseAdapter got a ${destination.type} destination`);
    const run = await runToExport(this.runs, request);
    const client = await LangfuseClient.of(this.options, destination);
    for (const batch of langfuseBatches(langfuseEvents(run, notificationId))) await client.ingest(batch);
    await sendDatasetRun(client, langfuseDatasetRun(run, notificationId));
    // The trace's page is under the Langfuse project's id, which the keys do not tell: no link.
    return { ok: true, remoteId: exportUuid(notificationId, 'langfuse-trace', 'run'), remoteUrl: null };
  }
}

async function sendDatasetRun(client: LangfuseClient, datasetRun: LangfuseDatasetRun): Promise<void> {
  const { dataset, items, runItems } = datasetRun;
  if (items.length === 0) return;
  const datasetId = await client.upsertDataset(dataset);
  await inGroups(items, (item) => client.upsertDatasetItem(item));
  const linked = new Set((await client.datasetRunItems(datasetId, runItems[0]!.runName)).map((link) => linkKey(link)));
  const missing = runItems.filter((item) => !linked.has(linkKey(item)));
  if (missing.length === 0) return;
  // The first creates the dataset run; sent alone, the others find it rather than race to create it too.
  await client.createDatasetRunItem(missing[0]!);
  await inGroups(missing.slice(1), (item) => client.createDatasetRunItem(item));
}

const linkKey = (link: { datasetItemId: string; traceId: string }): string => `${link.datasetItemId} ${link.traceId}`;

/**
 * Runs `send` on every element, a few at a time. A failure stops what was not started yet, but is thrown only
 * once the requests beside it have ended: an attempt made again must not list the run while they are under way.
 */
async function inGroups<T>(elements: readonly T[], send: (element: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < elements.length; start += PARALLEL_REQUESTS) {
    const outcomes = await Promise.allSettled(elements.slice(start, start + PARALLEL_REQUESTS).map(send));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
