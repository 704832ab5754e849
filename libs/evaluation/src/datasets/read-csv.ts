import { withDetectedDelimiter } from './csv-delimiter.js';
import { csvRecords, type CsvRecord } from './csv-records.js';
import { DatasetError, type CaseRow, type DatasetSource, type InvalidRow, type ReadOptions } from './dataset-row.js';
import { RowBuilder } from './row-builder.js';
import { decodeText } from './text-source.js';

const REQUIRED = ['question', 'answer', 'contexts'];
const OPTIONAL = ['id', 'ground_truth', 'metadata'];
/** Cells holding JSON text: a CSV cell is flat, these fields are not (one plain context aside). */
const JSON_CELLS = new Set(['contexts', 'metadata']);

/**
 * CSV with a header row naming the columns (any order), separated by commas, semicolons or tabs
 * (whichever the header holds most of, unless `options.delimiter` says). An empty cell means the
 * field is absent (so an empty ground_truth is null and an empty id is generated), since CSV
 * cannot tell the two apart. Lines holding only whitespace are skipped, as in JSONL.
 */
export async function* readCsv(source: DatasetSource, options: ReadOptions = {}): AsyncGenerator<CaseRow | InvalidRow> {
  const rows = new RowBuilder();
  let columns: string[] | null = null;
  const { delimiter, texts } = options.delimiter
    ? { delimiter: options.delimiter, texts: decodeText(source) }
    : await withDetectedDelimiter(decodeText(source));
  for await (const record of csvRecords(texts, delimiter)) {
    if (isBlank(record.fields)) continue;
    if (columns === null) columns = checkHeader(record);
    else yield recordToRow(rows, columns, record);
  }
  if (columns === null)
    fail(`the CSV has no header row (expected columns ${[...REQUIRED, ...OPTIONAL].join(', ')})`, 1);
}

/** Header problems fail the file: every row would carry them. */
function checkHeader(record: CsvRecord): string[] {
  const columns = record.fields.map((name) => name.trim());
  const unknown = columns.filter((name) => !REQUIRED.includes(name) && !OPTIONAL.includes(name));
  const missing = REQUIRED.filter((name) => !columns.includes(name));
  const repeated = columns.filter((name, i) => columns.indexOf(name) !== i);
  const allowed = `(required: ${REQUIRED.join(', ')}; optional: ${OPTIONAL.join(', ')})`;
  if (missing.length > 0) fail(`the CSV header lacks the column(s) ${missing.join(', ')} ${allowed}`, record.line);
  if (unknown.length > 0) fail(`the CSV header has unknown column(s) ${unknown.join(', ')} ${allowed}`, record.line);
  if (repeated.length > 0) fail(`the CSV header repeats the column(s) ${repeated.join(', ')}`, record.line);
  return columns;
}

function recordToRow(rows: RowBuilder, columns: string[], record: CsvRecord): CaseRow | InvalidRow {
  const { fields, line } = record;
  if (fields.length !== columns.length) {
    return rows.invalid(
      line,
      'FIELD_COUNT_MISMATCH',
      `expected ${columns.length} fields as in the header, got ${fields.length}`,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const [i, column] of columns.entries()) {
    const cell = fields[i] ?? '';
    if (cell === '') continue;
    if (!JSON_CELLS.has(column) || isPlainContext(column, cell)) {
      raw[column] = column === 'contexts' ? [cell] : cell;
      continue;
    }
    try {
      raw[column] = JSON.parse(cell);
    } catch (error) {
      const shape =
        column === 'contexts'
          ? 'contexts starting with [ must be a JSON array of strings'
          : 'metadata must be a JSON object';
      return rows.invalid(
        line,
        'INVALID_JSON',
        `${shape}, but the cell is not valid JSON (${(error as Error).message})`,
      );
    }
  }
  return rows.fromRaw(raw, line);
}

/** A contexts cell that is not a JSON array is one context, as written (a spreadsheet's usual cell). */
function isPlainContext(column: string, cell: string): boolean {
  return column === 'contexts' && !cell.trimStart().startsWith('[');
}

function isBlank(fields: string[]): boolean {
  return fields.length === 1 && (fields[0] ?? '').trim() === '';
}

function fail(detail: string, line: number): never {
  throw new DatasetError('UNREADABLE_DATASET', detail, line);
}
