import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { DatasetError, type DatasetRow, type DatasetSource } from './dataset-row.js';
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
  for await (const segment of lineSegments(source)) {
    line = segment.line;
    for (const token of tokenize(tokenizer, segment)) {
      const event = walker.take(token, line);
      if (event?.type === 'case') yield rows.fromRaw(event.value, event.line);
      else if (event?.type === 'header') yield event.header;
    }
  }
  walker.finish(line);
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
