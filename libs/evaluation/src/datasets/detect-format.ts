import { extname } from 'node:path';
import { DatasetError, type DatasetFormat } from './dataset-row.js';

// A Map, not an object literal: a name like "x.__proto__" must not find a prototype member.
const EXTENSIONS = new Map<string, DatasetFormat>([
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.json', 'json'],
  ['.csv', 'csv'],
  ['.tsv', 'csv'], // tab-separated: the CSV reader tells the delimiter from the header
]);

/** The format a file's extension (case-insensitive) names. */
export function detectFormat(fileName: string): DatasetFormat {
  const format = EXTENSIONS.get(extname(fileName).toLowerCase());
  if (format) return format;
  const supported = [...EXTENSIONS.keys()].join(', ');
  throw new DatasetError(
    'UNSUPPORTED_FORMAT',
    `cannot tell the format of "${fileName}": supported extensions are ${supported}`,
  );
}
