import { parse, type Parser } from 'csv-parse';
import { DatasetError, MAX_CASE_CHARS } from './dataset-row.js';

export interface CsvRecord {
  fields: string[];
  /** 1-based line the record starts on (a quoted cell may span lines). */
  line: number;
}

/**
 * Streams CSV records out of csv-parse with their starting lines. Records are taken from
 * `on_record` and the parser's readable side stays empty, so every record parsed before a
 * syntax error still reaches the caller before the error (a destroyed stream would drop
 * its buffered records). One write is parsed at a time: memory holds one chunk's records.
 */
export async function* csvRecords(texts: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRecord> {
  const pending: CsvRecord[] = [];
  const last: LastRecord = { endLine: 0, emptyLines: 0 };
  const parser = parse({
    delimiter,
    relax_column_count: true, // a short or long row is one invalid row, not the end of the file
    skip_empty_lines: true,
    max_record_size: MAX_CASE_CHARS, // a hostile file (one 100 MB line) fails here, in bounded memory
    on_record: (fields: string[], context) => {
      pending.push({ fields, line: startLine(fields, context.lines) });
      Object.assign(last, { endLine: context.lines, emptyLines: context.empty_lines });
      return null;
    },
  });
  // Errors are taken from the write and end callbacks; this listener only keeps an
  // unhandled 'error' event from crashing the process.
  parser.on('error', () => undefined);
  try {
    for await (const text of withLfNewlines(texts)) {
      const failure = await write(parser, text);
      yield* pending.splice(0);
      if (failure) throw unreadable(failure, last);
    }
    const failure = await end(parser);
    yield* pending.splice(0);
    if (failure) throw unreadable(failure, last);
  } finally {
    parser.destroy();
  }
}

function write(parser: Parser, text: string): Promise<Error | undefined> {
  return new Promise((resolve) => parser.write(text, (error) => resolve(error ?? undefined)));
}

function end(parser: Parser): Promise<Error | undefined> {
  return new Promise((resolve) => {
    parser.once('error', resolve);
    parser.once('finish', () => resolve(undefined));
    parser.end();
  });
}

/** csv-parse reports the line a record ends on; quoted newlines inside it tell where it began. */
function startLine(fields: string[], endLine: number): number {
  let newlines = 0;
  for (const field of fields) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) newlines += 1;
  return endLine - newlines;
}

/**
 * CRLF becomes LF before parsing: csv-parse miscounts lines when a chunk ends between the
 * "\r" and the "\n". So a quoted cell's CRLF line breaks reach the case as LF.
 */
async function* withLfNewlines(texts: AsyncIterable<string>): AsyncGenerator<string> {
  let heldCr = false;
  for await (const text of texts) {
    let out: string = (heldCr ? '\r' : '') + text;
    heldCr = out.endsWith('\r');
    if (heldCr) out = out.slice(0, -1);
    yield out.replaceAll('\r\n', '\n');
  }
  if (heldCr) yield '\r';
}

/** Where the last record ended, and how many empty lines had been skipped by then. */
interface LastRecord {
  endLine: number;
  emptyLines: number;
}

function unreadable(error: Error, last: LastRecord): DatasetError {
  const { code, lines, empty_lines: emptyLines } = error as Error & Record<string, unknown>;
  if (code === 'CSV_QUOTE_NOT_CLOSED' && typeof emptyLines === 'number') {
    // csv-parse names the line where the file ended; the author needs the record that opened the quote.
    const line = last.endLine + 1 + emptyLines - last.emptyLines;
    return new DatasetError(
      'UNREADABLE_DATASET',
      'invalid CSV: a quote opened in the record starting here never closes',
      line,
    );
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    const limit = `${MAX_CASE_CHARS / 2 ** 20} Mi characters`;
    return new DatasetError('UNREADABLE_DATASET', `a record is longer than ${limit}`, last.endLine + 1);
  }
  return new DatasetError(
    'UNREADABLE_DATASET',
    `invalid CSV: ${error.message}`,
    typeof lines === 'number' ? lines : null,
  );
}
