import { Readable } from 'node:stream';
import { DatasetError, type DatasetRow } from './dataset-row.js';
import { readDataset } from './read-dataset.js';
import { readAll, readUntilError } from './testing/read-all.js';

const header = 'id,question,answer,contexts,ground_truth,metadata';

describe('readDataset csv', () => {
  it('reads cases with JSON cells, quoted commas and newlines, and keeps line numbers right', async () => {
    const text = [
      header,
      'q1,"What is RAG, briefly?",Retrieval.,"[""doc one"", ""doc, two""]",Retrieval-augmented.,"{""topic"": ""rag""}"',
      'q2,"A question',
      'over three',
      'lines?","An answer, with a comma.",[],,',
      '',
      ',Third?,Yes.,"[""c""]",,',
    ].join('\n');
    expect(await readAll(text, 'csv')).toEqual([
      {
        kind: 'case',
        index: 0,
        line: 2,
        testCase: {
          id: 'q1',
          question: 'What is RAG, briefly?',
          answer: 'Retrieval.',
          contexts: ['doc one', 'doc, two'],
          groundTruth: 'Retrieval-augmented.',
          metadata: { topic: 'rag' },
        },
      },
      {
        kind: 'case',
        index: 1,
        line: 3,
        testCase: {
          id: 'q2',
          question: 'A question\nover three\nlines?',
          answer: 'An answer, with a comma.',
          contexts: [],
          groundTruth: null,
        },
      },
      {
        kind: 'case',
        index: 2,
        line: 7,
        testCase: { id: 'case-3', question: 'Third?', answer: 'Yes.', contexts: ['c'], groundTruth: null },
      },
    ]);
  });

  it('accepts columns in any order, optional ones left out, CRLF line ends and any chunking', async () => {
    const text = 'contexts,answer,question\r\n[],"A,\r\nB",Q1\r\n\r\n[],A,Q2\r\n';
    const whole = await readAll(text, 'csv');
    expect(whole).toMatchObject([
      { line: 2, testCase: { id: 'case-1', question: 'Q1', answer: 'A,\nB', contexts: [] } },
      { line: 5, testCase: { id: 'case-2', question: 'Q2' } },
    ]);
    expect(await readAll(text, 'csv', 1)).toEqual(whole);
    expect(await readAll(text, 'csv', 4)).toEqual(whole);
  });

  it('ignores a byte-order mark before the header, in bytes or in a string', async () => {
    const text = '\uFEFFquestion,answer,contexts\nQ,A,[]\n';
    expect(await readAll(text, 'csv', 2)).toHaveLength(1);
    const rows: DatasetRow[] = [];
    for await (const row of readDataset(Readable.from([text]), 'csv')) rows.push(row);
    expect(rows).toMatchObject([{ kind: 'case', line: 2 }]);
  });

  it('takes a contexts cell that is not a JSON array as one plain context', async () => {
    const text = [
      'question,answer,contexts',
      'Q1,A,The policy allows 30 days.',
      'Q2,A,"""Quoted"", with a comma"',
      'Q3,A,[]',
    ];
    expect((await readAll(text.join('\n'), 'csv')).map((r) => (r.kind === 'case' ? r.testCase.contexts : r))).toEqual([
      ['The policy allows 30 days.'],
      ['"Quoted", with a comma'],
      [],
    ]);
  });

  it.each([
    ['semicolons', ';'],
    ['tabs', '\t'],
  ])('detects a header separated by %s, and keeps commas inside cells', async (_, separator) => {
    const text = [
      ['id', 'question', 'answer', 'contexts'].join(separator),
      ['q1', 'Why, exactly?', 'Because, that is why.', '"[""one, two"", ""three""]"'].join(separator),
      ['q2', 'Q2', '"A; B"', 'Plain context, with a comma'].join(separator),
    ].join('\n');
    expect(await readAll(text, 'csv', 3)).toMatchObject([
      {
        line: 2,
        testCase: {
          id: 'q1',
          question: 'Why, exactly?',
          answer: 'Because, that is why.',
          contexts: ['one, two', 'three'],
        },
      },
      { line: 3, testCase: { id: 'q2', answer: 'A; B', contexts: ['Plain context, with a comma'] } },
    ]);
  });

  it('reads with the delimiter it is given', async () => {
    const ok = 'question|answer|contexts\nQ;1|A,2|c\n';
    const read: DatasetRow[] = [];
    for await (const row of readDataset(Readable.from([ok]), 'csv', { delimiter: '|' })) read.push(row);
    expect(read).toMatchObject([{ testCase: { question: 'Q;1', answer: 'A,2', contexts: ['c'] } }]);
  });

  it('reports invalid rows at their line and reads on', async () => {
    const text = [
      header,
      'a,Q?,A.,"[1, 2]",,',
      'b,Q?,A.,[oops,,',
      'c,Q?,A.,[],,"[1]"',
      'd,Q?,A.',
      'e,"multi',
      'line",,[],,',
      'a,Q?,A.,[],,',
      'a,Q?,A.,[],,',
    ].join('\n');
    const rows = await readAll(text, 'csv');
    expect(
      rows.map((r) =>
        r.kind === 'invalid' ? [r.errorCode, r.reason] : r.kind === 'case' ? [r.kind, r.line] : [r.kind],
      ),
    ).toEqual([
      ['INVALID_FIELD', 'line 2: contexts must be an array of strings, got number at contexts[0]'],
      [
        'INVALID_JSON',
        expect.stringMatching(
          /^line 3: contexts starting with \[ must be a JSON array of strings, but the cell is not valid JSON \(.+\)$/,
        ),
      ],
      ['INVALID_FIELD', 'line 4: metadata must be an object, got array'],
      ['FIELD_COUNT_MISMATCH', 'line 5: expected 6 fields as in the header, got 3'],
      ['MISSING_FIELD', 'line 6: answer is required'],
      ['case', 8],
      ['DUPLICATE_CASE_ID', 'line 9: case id "a" is already used by an earlier case of this dataset'],
    ]);
  });

  it.each([
    [
      'a missing required column',
      'id,question,answer\n1,Q,A\n',
      1,
      'the CSV header lacks the column(s) contexts ' +
        '(required: question, answer, contexts; optional: id, ground_truth, metadata)',
    ],
    [
      'an unknown column',
      '\nquestion,answer,contexts,groundTruth\n',
      2,
      'the CSV header has unknown column(s) groundTruth ' +
        '(required: question, answer, contexts; optional: id, ground_truth, metadata)',
    ],
    ['a repeated column', 'question,answer,contexts,answer\n', 1, 'the CSV header repeats the column(s) answer'],
    [
      'no header at all',
      '\n \n',
      1,
      'the CSV has no header row (expected columns question, answer, contexts, id, ground_truth, metadata)',
    ],
  ])('throws UNREADABLE_DATASET for %s', async (_, text, line, detail) => {
    const { error } = await readUntilError(text, 'csv');
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: 'UNREADABLE_DATASET', line, detail });
  });

  it('yields the rows before a quote that never closes, then throws at the line it opened on', async () => {
    const text = ['question,answer,contexts', 'Q1,A,[]', 'Q2,"A\n\nB",[]', '', 'Q3,"unclosed,[]', '', 'Q4,A,[]'].join(
      '\n',
    );
    for (const chunkSize of [undefined, 1, 3]) {
      const { rows, error } = await readUntilError(text, 'csv', chunkSize);
      expect(rows).toHaveLength(2);
      expect(error).toMatchObject({
        code: 'UNREADABLE_DATASET',
        line: 7,
        detail: 'invalid CSV: a quote opened in the record starting here never closes',
      });
    }
  });

  it('yields the rows before a malformed quote in the same chunk, then throws at its line', async () => {
    const text = ['question,answer,contexts', 'Q1,A,[]', 'Q2,"A"x,[]', 'Q3,A,[]'].join('\n');
    const { rows, error } = await readUntilError(text, 'csv');
    expect(rows).toHaveLength(1);
    expect(error).toMatchObject({ code: 'UNREADABLE_DATASET', line: 3 });
  });
});
