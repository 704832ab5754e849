import type { VersionRef } from '@evalvault/contracts';
import type { DatasetFormat } from '@evalvault/evaluation';

/** Where the planner reads a registered dataset version from, streamed. */
export interface DatasetContentSource {
  open(dataset: VersionRef): Promise<{ content: AsyncIterable<Buffer | string>; format: DatasetFormat }>;
}

/** Until the registry service stores dataset content, only inline datasets can be run. */
export class NoRegisteredDatasets implements DatasetContentSource {
  async open(dataset: VersionRef): Promise<never> {
    throw new Error(`dataset ${dataset.id} v${dataset.version ?? '?'} cannot be read: registered dataset content is not available to the runs service yet (submit the cases inline)`);
  }
}
