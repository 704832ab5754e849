import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DatasetError, MAX_CASE_CHARS, type DatasetFormat, type DatasetRow } from './index.js';
import { readDataset } from './read-dataset.js';

// A forced collection before each sample: the figure is what the reader retains, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const retainedHeap = (): number => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

const MB = 2 ** 20;
const CHUNK = 'x'.repeat(MB);

/**
 * A stream of `before`, then `mb` megabytes of one line with no newline, then `after`, made chunk
 * by chunk (the input never sits in memory) while sampling the heap the reader retains.
 */
function hugeLine(before: string, mb: number, after: string, memory: { peak: number }): AsyncGenerator<Buffer> {
  return (async function* () {
    yield Buffer.from(before);
    for (let i = 0; i < mb; i++) {
      if (i % 8 === 0) memory.peak = Math.max(memory.peak, retainedHeap());
      yield Buffer.from(CHUNK);
    }
    yield Buffer.from(after);
  })();
}

async function readAll(source: AsyncIterable<Buffer>, format: DatasetFormat): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of readDataset(source, format)) rows.push(row);
  return rows;
}

async function failure(source: AsyncIterable<Buffer>, format: DatasetFormat): Promise<DatasetError> {
  try {
    await readAll(source, format);
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const CASE = JSON.stringify({ question: 'q', answer: 'a', contexts: ['c'] });
const bytes = (text: string) => Buffer.from(text);

/**
 * Files an attacker (or a broken export) would send: each gives a line-numbered error, and the
 * 100 MB ones are read in bounded memory (the reader retains far less than the input's size).
 */
describe('hostile dataset files', () => {
  it('a 100 MB JSONL line is one CASE_TOO_LARGE row at its line; reading goes on, memory stays bounded', async () => {
    const memory = { peak: 0 };
    const baseline = retainedHeap();
    const rows = await readAll(hugeLine('', 100, `\n${CASE}\n`, memory), 'jsonl');
    expect(rows.map((row) => [row.kind, 'line' in row ? row.line : null])).toEqual([
      ['invalid', 1],
      ['case', 2],
    ]);
    expect(rows[0]).toMatchObject({ errorCode: 'CASE_TOO_LARGE', reason: expect.stringMatching(/^line 1: .*16 Mi/) });
    expect(memory.peak - baseline).toBeLessThan(MAX_CASE_CHARS * 2 + 16 * MB); // UTF-16 at most, never 100 MB
  });

  it('a 100 MB string in a JSON dataset or a CSV record is refused at its line in bounded memory', async () => {
    for (const [format, before] of [
      ['json', `{\n"test_cases": [\n{"question": "`],
      ['csv', `question,answer,contexts\n"`],
    ] as const) {
      const memory = { peak: 0 };
      const baseline = retainedHeap();
      const error = await failure(hugeLine(before, 100, '"', memory), format);
      expect(error.line).toBe(format === 'json' ? 3 : 2);
      expect(error.message).toMatch(/longer than 16 Mi characters/);
      expect(memory.peak - baseline).toBeLessThan(MAX_CASE_CHARS * 4 + 16 * MB);
    }
  });

  it('metadata nested 200,000 deep is an invalid row at its line, not a stack overflow', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const line = `{"question":"q","answer":"a","contexts":["c"],"metadata":{"x":${deep}}}`;
    const jsonl = await readAll(
      (async function* () {
        yield bytes(`${CASE}\n${line}\n`);
      })(),
      'jsonl',
    );
    expect(jsonl[1]).toMatchObject({ kind: 'invalid', line: 2, errorCode: 'INVALID_FIELD' });
    expect((jsonl[1] as { reason: string }).reason).toMatch(/metadata nests deeper than 32 levels/);
    const json = await readAll(
      (async function* () {
        yield bytes(`{"test_cases": [\n${line}\n]}`);
      })(),
      'json',
    );
    expect(json[0]).toMatchObject({ kind: 'invalid', line: 2, errorCode: 'INVALID_FIELD' });
  });

  it('invalid UTF-8 is refused at the line it is on', async () => {
    const source = (async function* () {
      yield bytes(`${CASE}\n${CASE}\n`);
      yield Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]); // {"<bad>"}
    })();
    const error = await failure(source, 'jsonl');
    expect(error).toMatchObject({ code: 'UNREADABLE_DATASET', line: 3 });
    expect(error.message).toMatch(/not valid UTF-8/);
  });

  it('a byte-order mark and CRLF line ends read as plain lines, numbered right', async () => {
    const source = (async function* () {
      yield Buffer.from([0xef, 0xbb, 0xbf]);
      yield bytes(`${CASE}\r\n\r\n${CASE}\r\n{"question": 1}\r\n`);
    })();
    const rows = await readAll(source, 'jsonl');
    expect(rows.map((row) => [row.kind, 'line' in row ? row.line : null])).toEqual([
      ['case', 1],
      ['case', 3],
      ['invalid', 4],
    ]);
  });

  it('a million empty lines are skipped and counted: the case after them is at line 1,000,001', async () => {
    const memory = { peak: 0 };
    const baseline = retainedHeap();
    const source = (async function* () {
      for (let i = 0; i < 100; i++) {
        if (i % 10 === 0) memory.peak = Math.max(memory.peak, retainedHeap());
        yield bytes('\n'.repeat(10_000));
      }
      yield bytes(`${CASE}\n`);
    })();
    const rows = await readAll(source, 'jsonl');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'case', line: 1_000_001 });
    expect(memory.peak - baseline).toBeLessThan(16 * MB);
  });
});
