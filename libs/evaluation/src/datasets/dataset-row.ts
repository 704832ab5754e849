import type { EvaluationCase } from '../model/evaluation-case.js';

export type DatasetFormat = 'jsonl' | 'json' | 'csv';

/** Anything a dataset can be read from: a file stream, an upload, a generator of chunks. */
export type DatasetSource = AsyncIterable<Buffer | string> | NodeJS.ReadableStream;

/** A valid case. `index` counts case and invalid rows only (0-based); `line` is 1-based. */
export interface CaseRow {
  kind: 'case';
  index: number;
  line: number;
  testCase: EvaluationCase;
}

/** A row that failed validation; the reader carries on after it. */
export interface InvalidRow {
  kind: 'invalid';
  index: number;
  line: number;
  /** The id the case has or would get (`case-<index+1>`); null when it cannot be known. */
  caseId: string | null;
  errorCode: RowErrorCode;
  /** Starts with the location, e.g. "line 7: contexts must be an array of strings, got string". */
  reason: string;
}

/** Dataset-level fields of a JSON dataset. It takes no index, so case ids stay `case-<index+1>`. */
export interface HeaderRow {
  kind: 'header';
  name?: string;
  version?: string | number;
  /** As the REST API's dataset body has it. */
  description?: string;
  thresholds?: Record<string, number>;
}

export type DatasetRow = CaseRow | InvalidRow | HeaderRow;

/** How to read a dataset, beyond its format. */
export interface ReadOptions {
  /** CSV only: the cell delimiter; by default told from the header line (`,`, `;` or a tab). */
  delimiter?: string;
}

/**
 * The most characters one case may take in a file (a JSONL line, a JSON case, a CSV record):
 * the bound that keeps reading a hostile file (one 100 MB line) in bounded memory. A real case,
 * long contexts included, is far below it.
 */
export const MAX_CASE_CHARS = 16 * 2 ** 20;

/** How deep a case's metadata may nest; deeper is refused (it only ever comes from a hostile file). */
export const MAX_METADATA_DEPTH = 32;

export type RowErrorCode =
  | 'CASE_TOO_LARGE'
  | 'INVALID_JSON'
  | 'NOT_AN_OBJECT'
  | 'UNKNOWN_FIELD'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'FIELD_COUNT_MISMATCH'
  | 'DUPLICATE_CASE_ID';

export type DatasetErrorCode = 'UNSUPPORTED_FORMAT' | 'UNREADABLE_DATASET';

/** The file as a whole cannot be read on; rows already yielded stay valid. */
export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    readonly detail: string,
    readonly line: number | null = null,
  ) {
    super(line === null ? detail : `line ${line}: ${detail}`);
    this.name = 'DatasetError';
  }
}
