/** Columns padded to their widest cell; numbers (right-aligned) are told apart by the caller. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, index) =>
        column.align === 'right'
          ? (cells[index] ?? '').padStart(widths[index]!)
          : (cells[index] ?? '').padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}

/** A score or value to 3 decimals; "-" for none. */
export const score = (value: number | null | undefined): string =>
  value === null || value === undefined ? '-' : value.toFixed(3);

export const signed = (value: number | null): string =>
  value === null ? '-' : `${value > 0 ? '+' : ''}${value.toFixed(3)}`;

/** Cuts a text to one line of at most `max` characters. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
