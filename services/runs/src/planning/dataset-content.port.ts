import type { VersionRef } from '@evalvault/contracts';
import type { DatasetFormat } from '@evalvault/evaluation';

/** Where the planner reads a registered dataset version from, streamed. */
export interface DatasetContentSource {
  open(dataset: VersionRef): Promise<{ content: AsyncIterable<Buffer | string>; format: DatasetFormat }>;
}

/** For a dataset reference without a content hash when no dataset directory is configured: nothing to read it from. */
export class NoRegisteredDatasets implements DatasetContentSource {
  async open(dataset: VersionRef): Promise<never> {
    throw new Error(
      `dataset ${dataset.id} v${dataset.version ?? '?'} cannot be read: the run names no content hash ` +
        "(submit it through the gateway, which pins the registered version's hash) " +
        'and no dataset directory is configured',
    );
  }
}
