// Streaming dataset readers: JSONL, JSON and CSV files, and cases sent inline.
export { readDataset } from './read-dataset.js';
export { detectFormat } from './detect-format.js';
export { casesFromInline, type InlineCaseRow, type InlineInvalidRow } from './inline-cases.js';
export {
  DatasetError,
  MAX_CASE_CHARS,
  MAX_METADATA_DEPTH,
  type CaseRow,
  type DatasetErrorCode,
  type DatasetFormat,
  type DatasetRow,
  type DatasetSource,
  type HeaderRow,
  type InvalidRow,
  type ReadOptions,
  type RowErrorCode,
} from './dataset-row.js';
