import { DatasetError, type DatasetSource } from './dataset-row.js';

/** A piece of text that lies on one line; it ends with "\n" when it ends that line. */
export interface LineSegment {
  text: string;
  line: number;
}

/**
 * The source decoded as UTF-8, chunk by chunk. Decoding is fatal: a file that is not UTF-8
 * must fail loudly rather than reach the evaluation with U+FFFD in its answers. A leading
 * byte-order mark is dropped, as spreadsheet exports often start with one.
 */
export async function* decodeText(
  source: DatasetSource,
  lineNow: () => number | null = () => null,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let started = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      // The decoder drops a byte-order mark from bytes; a source of strings may still carry one.
      if (!started && text.startsWith('\uFEFF')) text = text.slice(1);
      started ||= text !== '';
      if (text !== '') yield text;
    }
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') throw error;
    throw new DatasetError('UNREADABLE_DATASET', 'the file is not valid UTF-8 text', lineNow());
  }
}

/**
 * The decoded text cut at every newline, so that each piece is on a known line. Pieces are
 * never longer than a source chunk: a huge single-line file still streams.
 */
export async function* lineSegments(source: DatasetSource): AsyncGenerator<LineSegment> {
  let line = 1;
  for await (const text of decodeText(source, () => line)) {
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      yield { text: text.slice(start, newline + 1), line };
      line += 1;
      start = newline + 1;
    }
    if (start < text.length) yield { text: text.slice(start), line };
  }
}
