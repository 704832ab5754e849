import { createReadStream } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { VersionRef } from '@evalvault/contracts';
import { detectFormat } from '@evalvault/evaluation';
import type { DatasetContentSource } from './dataset-content.port.js';

/**
 * Dataset versions stored as files `<root>/<datasetId>/<version>.<jsonl|json|csv>`,
 * streamed from disk. The layout the registry's content store writes; usable on its own
 * for a shared volume.
 */
export class DirectoryDatasetSource implements DatasetContentSource {
  constructor(private readonly root: string) {}

  async open(
    dataset: VersionRef,
  ): Promise<{ content: AsyncIterable<Buffer>; format: ReturnType<typeof detectFormat> }> {
    if (!/^[A-Za-z0-9._-]+$/.test(dataset.id) || dataset.id.startsWith('.'))
      throw new Error(`dataset id ${JSON.stringify(dataset.id)} is not a valid stored dataset id`);
    const dir = join(this.root, dataset.id);
    const file = (await readdir(dir).catch(() => [])).find((name) => name.startsWith(`${dataset.version}.`));
    if (!file) throw new Error(`dataset ${dataset.id} v${dataset.version ?? '?'} is not in the dataset store`);
    const path = join(dir, file);
    await access(path);
    return { content: createReadStream(path), format: detectFormat(file) };
  }
}
