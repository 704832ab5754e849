import { Readable } from 'node:stream';
import { DatasetError, type DatasetRow } from './dataset-row.js';
import { readDataset } from './read-dataset.js';
import { jsonl, readAll } from './testing/read-all.js';

const base = { question: 'Q?', answer: 'A.', contexts: ['c1'] };

describe('readDataset jsonl', () => {
  it('reads every case with its index, line and normalized fields', async () => {
    const text = jsonl(
      {
        id: 'q1',
        question: 'What is RAG?',
        answer: 'Retrieval.',
        contexts: ['a', 'b'],
        ground_truth: 'Retrieval-augmented.',
        metadata: { topic: 'rag' },
      },
      { id: 7, ...base, ground_truth: null },
      { ...base, contexts: [] },
    );
    expect(await readAll(text, 'jsonl')).toEqual([
      {
        kind: 'case',
        index: 0,
        line: 1,
        testCase: {
          id: 'q1',
          question: 'What is RAG?',
          answer: 'Retrieval.',
          contexts: ['a', 'b'],
          groundTruth: 'Retrieval-augmented.',
          metadata: { topic: 'rag' },
        },
      },
      {
        kind: 'case',
        index: 1,
        line: 2,
        testCase: { id: '7', question: 'Q?', answer: 'A.', contexts: ['c1'], groundTruth: null },
      },
      {
        kind: 'case',
        index: 2,
        line: 3,
        testCase: { id: 'case-3', question: 'Q?', answer: 'A.', contexts: [], groundTruth: null },
      },
    ]);
  });

  it('skips blank lines but keeps counting them, and reads a last line without a newline', async () => {
    const text = `\n${JSON.stringify(base)}\r\n   \n\n${JSON.stringify({ ...base, id: 'last' })}`;
    const rows = await readAll(text, 'jsonl');
    expect(rows.map((r) => [r.kind === 'case' && r.testCase.id, 'line' in r && r.line])).toEqual([
      ['case-1', 2],
      ['last', 5],
    ]);
  });

  it('turns a malformed line into INVALID_JSON with the parser message and reads on', async () => {
    const text = [JSON.stringify(base), '{"question": "Q?", "answer":', JSON.stringify({ ...base, id: 'after' })].join(
      '\n',
    );
    const rows = await readAll(text, 'jsonl');
    expect(rows[1]).toEqual({
      kind: 'invalid',
      index: 1,
      line: 2,
      caseId: null,
      errorCode: 'INVALID_JSON',
      reason: expect.stringMatching(/^line 2: invalid JSON: .+/),
    });
    expect(rows[2]).toMatchObject({ kind: 'case', index: 2, line: 3, testCase: { id: 'after' } });
  });

  it('refuses metadata keys that could reach a prototype, as the JSON API does', async () => {
    const line = (metadata: string): string => JSON.stringify(base).replace(/\}$/, `,"metadata":${metadata}}`);
    const text = [
      line('{"__proto__":{"admin":true}}'),
      line('{"a":[{"constructor":{"prototype":{"x":1}}}]}'),
      line('{"constructor":"fine"}'),
    ].join('\n');
    const rows = await readAll(text, 'jsonl');
    expect(rows.map((r) => (r.kind === 'invalid' ? r.reason : 'ok'))).toEqual([
      'line 1: metadata.__proto__ is not allowed (it could reach an object prototype)',
      'line 2: metadata.a[0].constructor.prototype is not allowed (it could reach an object prototype)',
      'ok',
    ]);
  });

  it('reports each invalid row at its exact line with a precise reason, and reads on', async () => {
    const text = jsonl(
      base,
      { ...base, contexts: 'one context' },
      { ...base, question: '' },
      { ...base, answer: undefined },
      { ...base, ground_truth: 3 },
      { ...base, metadata: ['x'] },
      { ...base, groundTruth: 'camel' },
      { ...base, id: true },
      'just a string',
      { ...base, contexts: ['ok', 2] },
    );
    const invalid = (await readAll(text, 'jsonl')).filter((r) => r.kind === 'invalid');
    expect(invalid.map((r) => [r.errorCode, r.reason])).toEqual([
      ['INVALID_FIELD', 'line 2: contexts must be an array of strings, got string'],
      ['INVALID_FIELD', 'line 3: question must be a non-empty string, got empty string'],
      ['MISSING_FIELD', 'line 4: answer is required'],
      ['INVALID_FIELD', 'line 5: ground_truth must be a non-empty string or null, got number'],
      ['INVALID_FIELD', 'line 6: metadata must be an object, got array'],
      [
        'UNKNOWN_FIELD',
        'line 7: unknown field groundTruth (allowed: id, question, answer, contexts, ground_truth, metadata)',
      ],
      ['INVALID_FIELD', 'line 8: id must be a non-empty string or a number, got boolean'],
      ['NOT_AN_OBJECT', 'line 9: a case must be an object, got string'],
      ['INVALID_FIELD', 'line 10: contexts must be an array of strings, got number at contexts[1]'],
    ]);
    expect(invalid.map((r) => r.caseId)).toEqual([
      'case-2',
      'case-3',
      'case-4',
      'case-5',
      'case-6',
      'case-7',
      null,
      null,
      'case-10',
    ]);
  });

  it('rejects a later duplicate id, generated ids included', async () => {
    const text = jsonl({ ...base, id: 'a' }, { ...base, id: 'case-3' }, base, { ...base, id: 'a' });
    const rows = await readAll(text, 'jsonl');
    expect(rows.map((r) => r.kind)).toEqual(['case', 'case', 'invalid', 'invalid']);
    expect(rows[2]).toMatchObject({
      caseId: 'case-3',
      errorCode: 'DUPLICATE_CASE_ID',
      reason: 'line 3: case id "case-3" is already used by an earlier case of this dataset',
    });
    expect(rows[3]).toMatchObject({ line: 4, caseId: 'a', errorCode: 'DUPLICATE_CASE_ID' });
  });

  it('gives the same rows whatever the chunking, multi-byte characters cut in half included', async () => {
    const text = jsonl({ ...base, question: 'Qu’est-ce que la RAG ? 日本語 🎯' }, { ...base, id: 'x' }, 'bad');
    expect(await readAll(text, 'jsonl', 1)).toEqual(await readAll(text, 'jsonl'));
    expect(await readAll(text, 'jsonl', 3)).toEqual(await readAll(text, 'jsonl'));
  });

  it('reads a Node readable stream', async () => {
    const rows: DatasetRow[] = [];
    for await (const row of readDataset(Readable.from([jsonl(base, base)]), 'jsonl')) rows.push(row);
    expect(rows).toHaveLength(2);
  });

  it('refuses a file that is not UTF-8', async () => {
    const source = (async function* () {
      yield Buffer.from(jsonl(base));
      yield Buffer.from([0x7b, 0xff, 0x7d, 0x0a]);
    })();
    const rows: DatasetRow[] = [];
    const reading = (async () => {
      for await (const row of readDataset(source, 'jsonl')) rows.push(row);
    })();
    await expect(reading).rejects.toThrow(
      new DatasetError('UNREADABLE_DATASET', 'the file is not valid UTF-8 text', 2),
    );
    expect(rows).toHaveLength(1);
  });

  it('reads an empty file as no rows', async () => {
    expect(await readAll('', 'jsonl')).toEqual([]);
  });
});
