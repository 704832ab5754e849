import { createReadStream } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { DatasetError, detectFormat, readDataset, type DatasetFormat, type InvalidRow } from '@evalvault/evaluation';
import { CliError } from '../errors.js';

/** A case as the REST API takes it inline (snake_case, like the files). */
export interface InlineCase {
  id: string;
  question: string;
  answer: string;
  contexts: string[];
  ground_truth: string | null;
  metadata?: Record<string, unknown>;
}

export interface DatasetFile {
  path: string;
  /** The JSON header's name, else the file name without its extension (its folder's name for `dataset.*`). */
  name: string;
  format: DatasetFormat;
  cases: InlineCase[];
  /** Rows that failed validation, in file order, each with its 1-based line. */
  invalid: InvalidRow[];
}

/** The gateway's limit on cases sent with one request. */
export const MAX_INLINE_CASES = 5_000;

/**
 * Reads a JSONL, JSON or CSV dataset with the platform's own streaming readers, so a file is
 * judged here exactly as the server would judge it: every bad row is kept with its line and
 * reason, and reading goes on after it.
 */
export async function loadDatasetFile(path: string): Promise<DatasetFile> {
  const format = formatOf(path);
  const file: DatasetFile = { path, name: defaultName(path), format, cases: [], invalid: [] };
  try {
    for await (const row of readDataset(createReadStream(path), format)) {
      if (row.kind === 'header') {
        if (row.name) file.name = row.name;
      } else if (row.kind === 'invalid') {
        file.invalid.push(row);
      } else {
        const { id, question, answer, contexts, groundTruth, metadata } = row.testCase;
        file.cases.push({
          id,
          question,
          answer,
          contexts,
          ground_truth: groundTruth,
          ...(metadata ? { metadata } : {}),
        });
      }
    }
  } catch (error) {
    throw unreadable(path, error);
  }
  return file;
}

/** `examples/rag-qa/dataset.jsonl` is the dataset "rag-qa"; `qa-v2.csv` is "qa-v2". */
function defaultName(path: string): string {
  const name = basename(path, extname(path));
  const folder = basename(dirname(path));
  return name === 'dataset' && folder && folder !== '.' && folder !== '/' ? folder : name;
}

function formatOf(path: string): DatasetFormat {
  try {
    return detectFormat(path);
  } catch (error) {
    throw new CliError('usage', (error as Error).message);
  }
}

function unreadable(path: string, error: unknown): CliError {
  if (error instanceof DatasetError) return new CliError('dataset', `${path}: ${error.message}`);
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new CliError('dataset', `${path}: no such file`);
  if (code === 'EISDIR') return new CliError('dataset', `${path}: is a directory, not a dataset file`);
  return new CliError('dataset', `${path}: ${(error as Error).message}`);
}

/** "line 7: question is required" → "question is required" (the line is shown apart). */
export function reasonWithoutLine(row: InvalidRow): string {
  return row.reason.replace(/^line \d+: /, '');
}

/**
 * Refuses a dataset with invalid rows (naming each), unless the caller skips them, and one
 * without any case or with more than a request can carry.
 */
export function checkSubmittable(file: DatasetFile, skipInvalid: boolean): void {
  if (file.invalid.length > 0 && !skipInvalid) {
    const lines = file.invalid.map((row) => row.line);
    const details = file.invalid.map((row) => `${file.path}:${row.line}: ${reasonWithoutLine(row)} [${row.errorCode}]`);
    const shown = lines.length > 20 ? `${lines.slice(0, 20).join(', ')}, …` : lines.join(', ');
    const one = lines.length === 1;
    throw new CliError(
      'dataset',
      `${file.path}: ${lines.length} invalid row${one ? '' : 's'} (line${one ? '' : 's'} ${shown}); ` +
        `fix ${one ? 'it' : 'them'} or pass --skip-invalid to submit the valid rows`,
      details,
    );
  }
  if (file.cases.length === 0) throw new CliError('dataset', `${file.path}: no valid case to evaluate`);
}

/**
 * Whether the cases travel inside the run request. A larger dataset is registered first
 * (streamed) and run by reference: the gateway takes request bodies up to 1 MiB by default
 * (GATEWAY_BODY_LIMIT_BYTES) and at most 5,000 inline cases.
 */
export function fitsInline(file: DatasetFile, maxBytes = INLINE_MAX_BYTES): boolean {
  if (file.cases.length > MAX_INLINE_CASES || file.invalid.length > MAX_INLINE_CASES) return false;
  return Buffer.byteLength(JSON.stringify(file.cases)) <= maxBytes;
}

/** Cases' share of a run request at most: below the gateway's default body limit, with room for the rest. */
export const INLINE_MAX_BYTES = 768 * 1024;
