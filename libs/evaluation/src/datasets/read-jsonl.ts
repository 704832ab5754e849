import type { CaseRow, DatasetSource, InvalidRow } from './dataset-row.js';
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
  let line = 1;
  for await (const segment of lineSegments(source)) {
    pieces.push(segment.text);
    line = segment.line;
    if (!segment.text.endsWith('\n')) continue;
    const row = lineToRow(rows, pieces.join(''), line);
    pieces = [];
    if (row) yield row;
  }
  // The last line need not end with a newline.
  const row = lineToRow(rows, pieces.join(''), line);
  if (row) yield row;
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
