import type { VersionRef } from '@evalvault/contracts';
import { ContentNotFoundError, isContentHash, type ContentStore } from '@evalvault/platform';
import type { DatasetContentSource } from './dataset-content.port.js';

/**
 * Registered dataset versions, streamed from the shared content store by the content hash the
 * run pinned (the gateway resolves `{id, version}` with the registry when the run is submitted,
 * so RunRequested carries the hash). The registry stores every version as canonical JSONL; the
 * store checks the bytes against the hash as they stream. A reference without a hash (a run
 * submitted straight to the runs service) goes to `unpinned`, e.g. a dataset directory.
 */
export class RegisteredDatasetSource implements DatasetContentSource {
  constructor(
    private readonly content: ContentStore,
    private readonly unpinned: DatasetContentSource,
  ) {}

  async open(dataset: VersionRef): ReturnType<DatasetContentSource['open']> {
    if (!isContentHash(dataset.contentHash)) return this.unpinned.open(dataset);
    try {
      return { content: await this.content.get(dataset.contentHash), format: 'jsonl' };
    } catch (error) {
      if (!(error instanceof ContentNotFoundError)) throw error;
      throw new Error(
        `dataset ${dataset.id} v${dataset.version ?? '?'}: ` +
          `its content ${dataset.contentHash} is not in the content store`,
        { cause: error },
      );
    }
  }
}
