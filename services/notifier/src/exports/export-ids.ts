import { createHash } from 'node:crypto';
import { derivedUuid } from '../notification/notification.ids.js';

/**
 * Ids of what an export creates at the tracker, derived from the export's notification id (one per run and
 * export): a delivery attempted again sends the same ids, which the trackers take as the same trace, score,
 * event or span rather than new ones.
 */
export const exportUuid = (notificationId: string, ...parts: (string | number)[]): string =>
  derivedUuid('tracker-export', notificationId, ...parts.map(String));

/** A hex id of `bytes` bytes (OTLP trace ids are 16, span ids 8), never all zeros. */
export function exportHexId(bytes: number, notificationId: string, ...parts: (string | number)[]): string {
  const hex = createHash('sha256')
    .update(['tracker-export', notificationId, ...parts.map(String)].join('\u0000'))
    .digest('hex')
    .slice(0, bytes * 2);
  return /^0+$/.test(hex) ? `${'0'.repeat(bytes * 2 - 1)}1` : hex;
}

/** The tag a tracker run carries so a delivery attempted again finds the run it created (MLflow). */
export const exportTagValue = (notificationId: string): string => `evalvault-export-${notificationId}`;

/**
 * A Langfuse dataset item's id: one per case of a dataset version (not per run or export), so every run and
 * every attempt on that version upserts the same item. Langfuse keeps item ids unique per Langfuse project and
 * refuses one reused in another dataset, so the dataset's name at Langfuse is part of it.
 */
export const datasetItemUuid = (
  scope: { tenantId: string; projectId: string },
  langfuseDataset: string,
  datasetId: string,
  version: number | null,
  caseIndex: number,
): string =>
  derivedUuid(
    'langfuse-dataset-item',
    scope.tenantId,
    scope.projectId,
    langfuseDataset,
    datasetId,
    version === null ? 'inline' : String(version),
    String(caseIndex),
  );
