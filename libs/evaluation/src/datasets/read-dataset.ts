import type { DatasetFormat, DatasetRow, DatasetSource, ReadOptions } from './dataset-row.js';
import { readCsv } from './read-csv.js';
import { readJson } from './read-json.js';
import { readJsonl } from './read-jsonl.js';

/**
 * Streams a dataset's rows in file order: valid cases, invalid rows (with line and reason;
 * reading goes on after them) and, for JSON, header rows. Throws a DatasetError with code
 * UNREADABLE_DATASET when the file itself is broken; rows yielded before stay as they were.
 */
export function readDataset(
  source: DatasetSource,
  format: DatasetFormat,
  options: ReadOptions = {},
): AsyncGenerator<DatasetRow> {
  switch (format) {
    case 'jsonl':
      return readJsonl(source);
    case 'json':
      return readJson(source);
    case 'csv':
      return readCsv(source, options);
  }
}
