import { DatasetError, readDataset, type EvaluationCase } from '@evalvault/evaluation';
import { canonicalJson } from '../hashing/canonical-json.js';
import { invalidInput, RegistryError, RegistryErrorCode } from '../resource/resource.errors.js';

export interface DatasetLimits {
  /** Largest upload in bytes. */
  maxBytes: number;
  /** Longest line in bytes: a line is the unit held in memory while reading. */
  maxLineBytes: number;
}

/** How the cases arrived: lines of a JSONL upload, or the items of a JSON body's `cases` (named cases[i] in errors). */
export type DatasetSourceKind = 'jsonl' | 'json';

const ERRORS_SHOWN = 20;

/**
 * One case as one line of the stored, canonical JSONL: the fields of the input format, keys sorted,
 * defaults filled in.
 */
export function canonicalCaseLine(testCase: EvaluationCase): string {
  const { id, question, answer, contexts, groundTruth, metadata } = testCase;
  const optional = {
    ...(groundTruth === null ? {} : { ground_truth: groundTruth }),
    ...(metadata ? { metadata } : {}),
  };
  return `${canonicalJson({ id, question, answer, contexts, ...optional })}\n`;
}

/**
 * Reads an upload as JSONL, validating every case as a run would (libs/evaluation), and yields
 * it in canonical form, one line at a time. Invalid lines are collected and the whole upload is
 * refused at the end, naming them, so nothing invalid is ever registered and the author sees
 * every problem at once. `caseCount` is final once the lines are consumed.
 */
export class CanonicalDataset {
  caseCount = 0;

  constructor(
    private readonly limits: DatasetLimits,
    private readonly sourceKind: DatasetSourceKind = 'jsonl',
  ) {}

  async *lines(upload: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
    const problems: string[] = [];
    let invalid = 0;
    try {
      for await (const row of readDataset(bounded(upload, this.limits), 'jsonl')) {
        if (row.kind === 'case') {
          this.caseCount += 1;
          yield canonicalCaseLine(row.testCase);
        } else if (row.kind === 'invalid') {
          invalid += 1;
          if (problems.length < ERRORS_SHOWN) problems.push(this.located(row.reason));
        }
      }
    } catch (error) {
      if (error instanceof DatasetError) throw invalidInput(`dataset: ${error.message}`);
      throw error;
    }
    if (invalid > 0) {
      const more = invalid > problems.length ? `; and ${invalid - problems.length} more` : '';
      throw invalidInput(`dataset: ${invalid} invalid case(s): ${problems.join('; ')}${more}`, problems);
    }
    if (this.caseCount === 0) throw invalidInput('dataset: at least one case is required');
  }

  private located(reason: string): string {
    if (this.sourceKind === 'jsonl') return reason;
    return reason.replace(/^line (\d+): /, (_, line: string) => `cases[${Number(line) - 1}]: `);
  }
}

/** The upload, refused as soon as it exceeds the size limit or holds a line longer than allowed. */
async function* bounded(upload: AsyncIterable<Uint8Array | string>, limits: DatasetLimits): AsyncGenerator<Buffer> {
  let total = 0;
  let lineBytes = 0;
  let line = 1;
  for await (const piece of upload) {
    const chunk =
      typeof piece === 'string'
        ? Buffer.from(piece, 'utf8')
        : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    total += chunk.length;
    if (total > limits.maxBytes)
      throw new RegistryError(RegistryErrorCode.TooLarge, `dataset: larger than the limit of ${limits.maxBytes} bytes`);
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      checkLineLength(lineBytes + newline - start, line, limits);
      lineBytes = 0;
      line += 1;
      start = newline + 1;
    }
    lineBytes += chunk.length - start;
    checkLineLength(lineBytes, line, limits);
    yield chunk;
  }
}

function checkLineLength(bytes: number, line: number, limits: DatasetLimits): void {
  if (bytes > limits.maxLineBytes)
    throw invalidInput(`dataset: line ${line} is longer than the limit of ${limits.maxLineBytes} bytes`);
}
