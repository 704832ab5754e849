import { versionLabel } from '../destinations/message.js';
import { datasetItemUuid, exportUuid } from './export-ids.js';
import { langfuseCaseTraceId } from './langfuse.render.js';
import type { ExportedRun } from './run-results.js';

/** POST /api/public/v2/datasets: Langfuse upserts a dataset on its name. */
export interface LangfuseDatasetBody {
  name: string;
  description: string;
  metadata: Record<string, unknown>;
}

/** POST /api/public/dataset-items: upserted on its id. */
export interface LangfuseDatasetItemBody {
  id: string;
  datasetName: string;
  input: { question: string; contexts: string[] };
  expectedOutput?: { groundTruth: string };
  metadata: Record<string, unknown>;
}

/** POST /api/public/dataset-run-items: the run is found or created by name; the item itself gets a new id. */
export interface LangfuseRunItemBody {
  runName: string;
  runDescription: string;
  metadata: Record<string, unknown>;
  datasetItemId: string;
  traceId: string;
}

export interface LangfuseDatasetRun {
  dataset: LangfuseDatasetBody;
  items: LangfuseDatasetItemBody[];
  runItems: LangfuseRunItemBody[];
}

/**
 * One Langfuse dataset per dataset version (an inline dataset is its content), in a folder per project and
 * dataset: `evalvault/<project>/<dataset>/v<version>`, `…/<name or inline>/inline-<hash>` for an inline one.
 */
export function langfuseDatasetName(run: ExportedRun): string {
  const { dataset } = run;
  if (dataset.version === null) return `evalvault/${run.projectId}/${dataset.name ?? 'inline'}/${dataset.id}`;
  return `evalvault/${run.projectId}/${dataset.name ?? dataset.id}/v${dataset.version}`;
}

/** The dataset run's name at Langfuse, unique within its dataset: the evaluation run's. */
export const langfuseRunName = (run: ExportedRun): string => `evalvault-${run.runId}`;

function runMetadata(run: ExportedRun, notificationId: string): Record<string, unknown> {
  return {
    evalvaultRunId: run.runId,
    project: run.projectId,
    prompt: versionLabel(run.prompt),
    modelProfile: versionLabel(run.modelProfile),
    configHash: run.configHash,
    evaluatorVersion: run.evaluatorVersion,
    counts: run.counts,
    means: Object.fromEntries(run.aggregates.map((aggregate) => [aggregate.metric, aggregate.mean])),
    verdict: run.verdict,
    labels: run.labels,
    runTraceId: exportUuid(notificationId, 'langfuse-trace', 'run'),
  };
}

/**
 * The dataset run of an exported run: the dataset, an item per case (its question and contexts as input, the
 * ground truth as expected output) and a run item per case linking the item to the case's trace. A case whose
 * row was rejected at submission has no question, so no item.
 */
export function langfuseDatasetRun(run: ExportedRun, notificationId: string): LangfuseDatasetRun {
  const datasetName = langfuseDatasetName(run);
  const { dataset } = run;
  const runName = langfuseRunName(run);
  const runDescription = `${run.metrics.join(', ')} on ${versionLabel(dataset)}`;
  const metadata = runMetadata(run, notificationId);
  const items: LangfuseDatasetItemBody[] = [];
  const runItems: LangfuseRunItemBody[] = [];
  for (const one of run.cases) {
    if (!one.input) continue;
    const id = datasetItemUuid(run, datasetName, dataset.id, dataset.version, one.caseIndex);
    const { question, contexts, groundTruth } = one.input;
    items.push({
      id,
      datasetName,
      input: { question, contexts },
      ...(groundTruth === null ? {} : { expectedOutput: { groundTruth } }),
      metadata: {
        evalvaultDatasetId: dataset.id,
        datasetVersion: dataset.version,
        contentHash: dataset.contentHash,
        caseIndex: one.caseIndex,
        caseId: one.caseId,
      },
    });
    runItems.push({
      runName,
      runDescription,
      metadata,
      datasetItemId: id,
      traceId: langfuseCaseTraceId(notificationId, one.caseIndex),
    });
  }
  return {
    dataset: {
      name: datasetName,
      description: `EvalVault dataset ${versionLabel(dataset)}`,
      metadata: {
        evalvaultDatasetId: dataset.id,
        name: dataset.name,
        version: dataset.version,
        contentHash: dataset.contentHash,
        project: run.projectId,
      },
    },
    items,
    runItems,
  };
}
