import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { DatasetError, MAX_CASE_CHARS, type DatasetRow, type DatasetSource } from './dataset-row.js';
import { DatasetWalker } from './json-walker.js';
import { RowBuilder } from './row-builder.js';
import { lineSegments, type LineSegment } from './text-source.js';

type Tokenizer = ReturnType<typeof jsonParser>;

/**
 * An EvalVault JSON dataset, streamed with stream-json: test cases come out one at a time.
 * The text is fed to the tokenizer one line piece at a time, and the tokenizer emits a
 * token as soon as it reads it, so each token (a case's opening brace included) is known
 * to come from the line of that piece: that is the case's `line`. Malformed or truncated
 * JSON throws a DatasetError at the line where the parser stopped.
 */
export async function* readJson(source: DatasetSource): AsyncGenerator<DatasetRow> {
  // Packed values only: the assembler needs them, and streamed chunks would be dead weight.
  const tokenizer = jsonParser({ packValues: true, streamValues: false });
  const walker = new DatasetWalker();
  const rows = new RowBuilder();
  let line = 1;
  // Characters of the value being assembled (or of a token not yet complete): bounded, so a
  // hostile file (one 100 MB string) fails early instead of filling memory.
  let held = 0;
  for await (const segment of lineSegments(source)) {
    line = segment.line;
    const tokens = tokenize(tokenizer, segment);
    let completed = false;
    for (const token of tokens) {
      // A token outside any value, or one that completes a value: nothing before it is held.
      if (!walker.assembling) completed = true;
      const event = walker.take(token, line);
      if (event) completed = true;
      if (event?.type === 'case') yield rows.fromRaw(event.value, event.line);
      else if (event?.type === 'header') yield event.header;
    }
    // A value completed in this piece: what is held now began within it (at most a piece's worth).
    held = completed ? 0 : held + segment.text.length;
    if (held > MAX_CASE_CHARS) throw tooLarge(walker.assembling ? walker.valueStartLine : line);
  }
  walker.finish(line);
}

function tooLarge(line: number): DatasetError {
  const limit = `${MAX_CASE_CHARS / 2 ** 20} Mi characters`;
  return new DatasetError('UNREADABLE_DATASET', `the value starting here is longer than ${limit}`, line);
}

function tokenize(tokenizer: Tokenizer, segment: LineSegment): Token[] {
  try {
    const result = tokenizer(segment.text);
    // The tokenizer answers a stream-chain `none` symbol when a piece completes no token.
    return typeof result === 'symbol' ? [] : result.values;
  } catch (error) {
    throw new DatasetError('UNREADABLE_DATASET', `invalid JSON: ${(error as Error).message}`, segment.line);
  }
}
