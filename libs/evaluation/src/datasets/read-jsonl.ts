import { MAX_CASE_CHARS, type CaseRow, type DatasetSource, type InvalidRow } from './dataset-row.js';
import { RowBuilder } from './row-builder.js';
import { lineSegments } from './text-source.js';

/**
 * JSON Lines: one case per line, blank lines skipped. A line that is not JSON becomes an
 * INVALID_JSON row and reading goes on, since every line stands on its own. Only the line
 * being assembled is held in memory.
 */
export async function* readJsonl(source: DatasetSource): AsyncGenerator<CaseRow | InvalidRow> {
  const rows = new RowBuilder();
  let pieces: string[] = [];
  let held = 0;
  let tooLong = false;
  let line = 1;
  for await (const segment of lineSegments(source)) {
    line = segment.line;
    held += segment.text.length;
    // A line past the bound is dropped as it streams: its pieces are never joined or kept.
    tooLong ||= held > MAX_CASE_CHARS;
    if (tooLong) pieces = [];
    else pieces.push(segment.text);
    if (!segment.text.endsWith('\n')) continue;
    const row = tooLong ? lineTooLong(rows, line) : lineToRow(rows, pieces.join(''), line);
    [pieces, held, tooLong] = [[], 0, false];
    if (row) yield row;
  }
  // The last line need not end with a newline.
  const row = tooLong ? lineTooLong(rows, line) : lineToRow(rows, pieces.join(''), line);
  if (row) yield row;
}

function lineTooLong(rows: RowBuilder, line: number): InvalidRow {
  const limit = `${MAX_CASE_CHARS / 2 ** 20} Mi characters`;
  return rows.invalid(line, 'CASE_TOO_LARGE', `the line is longer than ${limit}: one case per line (is this JSONL?)`);
}

function lineToRow(rows: RowBuilder, text: string, line: number): CaseRow | InvalidRow | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return rows.invalid(line, 'INVALID_JSON', `invalid JSON: ${(error as Error).message}`);
  }
  return rows.fromRaw(value, line);
}
