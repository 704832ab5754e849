import type { DatasetFormat, DatasetRow } from '../dataset-row.js';
import { readDataset } from '../read-dataset.js';

/** The text as a stream of Buffers of `size` bytes: small sizes cut lines, tokens and characters. */
export async function* bufferChunks(text: string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

/** Every row of a dataset text, read through `readDataset` in chunks of `chunkSize` bytes. */
export async function readAll(text: string, format: DatasetFormat, chunkSize?: number): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of readDataset(bufferChunks(text, chunkSize), format)) rows.push(row);
  return rows;
}

/** Rows read before the reader threw, and what it threw. */
export async function readUntilError(
  text: string,
  format: DatasetFormat,
  chunkSize?: number,
): Promise<{ rows: DatasetRow[]; error: unknown }> {
  const rows: DatasetRow[] = [];
  try {
    for await (const row of readDataset(bufferChunks(text, chunkSize), format)) rows.push(row);
  } catch (error) {
    return { rows, error };
  }
  throw new Error('expected the reader to throw');
}

/** One JSONL line per object. */
export function jsonl(...cases: unknown[]): string {
  return cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
}
