import { DatasetError } from './dataset-row.js';
import { readAll, readUntilError } from './testing/read-all.js';

const pretty = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
const base = { question: 'Q?', answer: 'A.', contexts: ['c1'], ground_truth: 'G.' };

describe('readDataset json', () => {
  it('streams the test cases with the line each one starts on, header first', async () => {
    const text = pretty({
      name: 'faq',
      version: 2,
      thresholds: { faithfulness: 0.8 },
      test_cases: [{ id: 'q1', ...base }, { id: 'q2', ...base, ground_truth: null, metadata: { lang: 'en' } }, base],
    });
    // Each case printed by JSON.stringify(…, 2) takes 9 lines (10 with metadata), from line 8.
    expect(await readAll(text, 'json')).toEqual([
      { kind: 'header', name: 'faq', version: 2, thresholds: { faithfulness: 0.8 } },
      {
        kind: 'case',
        index: 0,
        line: 8,
        testCase: { id: 'q1', question: 'Q?', answer: 'A.', contexts: ['c1'], groundTruth: 'G.' },
      },
      {
        kind: 'case',
        index: 1,
        line: 17,
        testCase: {
          id: 'q2',
          question: 'Q?',
          answer: 'A.',
          contexts: ['c1'],
          groundTruth: null,
          metadata: { lang: 'en' },
        },
      },
      {
        kind: 'case',
        index: 2,
        line: 29,
        testCase: { id: 'case-3', question: 'Q?', answer: 'A.', contexts: ['c1'], groundTruth: 'G.' },
      },
    ]);
  });

  it('gives the same rows and lines whatever the chunking', async () => {
    const text = pretty({ name: 'n', test_cases: [base, { ...base, contexts: 'x' }, base], version: '1.0' });
    const whole = await readAll(text, 'json');
    expect(await readAll(text, 'json', 1)).toEqual(whole);
    expect(await readAll(text, 'json', 7)).toEqual(whole);
  });

  it('announces header fields found after test_cases at the end, as a complete header', async () => {
    const text = pretty({ name: 'late', test_cases: [base], version: '1.0', thresholds: { relevance: 0.5 } });
    const rows = await readAll(text, 'json');
    expect(rows.map((r) => r.kind)).toEqual(['header', 'case', 'header']);
    expect(rows[0]).toEqual({ kind: 'header', name: 'late' });
    expect(rows[2]).toEqual({ kind: 'header', name: 'late', version: '1.0', thresholds: { relevance: 0.5 } });
  });

  it('has only a trailing header when every header field follows test_cases, and none without fields', async () => {
    expect((await readAll(pretty({ test_cases: [base], name: 'n' }), 'json')).map((r) => r.kind)).toEqual([
      'case',
      'header',
    ]);
    expect((await readAll(pretty({ test_cases: [base] }), 'json')).map((r) => r.kind)).toEqual(['case']);
  });

  it('numbers a one-line file as line 1 throughout', async () => {
    const rows = await readAll(
      JSON.stringify({
        test_cases: [
          { id: 'x', ...base },
          { id: 'x', ...base },
        ],
      }),
      'json',
    );
    expect(rows).toMatchObject([
      { line: 1, index: 0 },
      { line: 1, index: 1, kind: 'invalid', errorCode: 'DUPLICATE_CASE_ID' },
    ]);
  });

  it('marks invalid test cases at their first line and reads on', async () => {
    const text = [
      '{"test_cases": [',
      '  {"id": "a", "question": "Q?", "answer": "A.", "contexts": "c"},',
      '  42,',
      '  {"id": "a", "question": "Q?", "answer": "A.", "contexts": []},',
      '  {"id": "a", "question": "Q?", "answer": "A.", "contexts": [],',
      '   "extra": 1, "more": 2}',
      ']}',
    ].join('\n');
    const rows = await readAll(text, 'json');
    expect(rows.map((r) => (r.kind === 'invalid' ? [r.line, r.errorCode, r.reason] : [r.kind]))).toEqual([
      [2, 'INVALID_FIELD', 'line 2: contexts must be an array of strings, got string'],
      [3, 'NOT_AN_OBJECT', 'line 3: a case must be an object, got number'],
      ['case'],
      [
        5,
        'UNKNOWN_FIELD',
        'line 5: unknown fields extra, more (allowed: id, question, answer, contexts, ground_truth, metadata)',
      ],
    ]);
  });

  it("reads the REST API's dataset body, {name, description, cases}, like a test_cases file", async () => {
    const text = pretty({ name: 'faq', description: 'Help desk', cases: [{ id: 'q1', ...base }, base] });
    expect(await readAll(text, 'json')).toEqual([
      { kind: 'header', name: 'faq', description: 'Help desk' },
      { kind: 'case', index: 0, line: 5, testCase: expect.objectContaining({ id: 'q1', contexts: ['c1'] }) },
      { kind: 'case', index: 1, line: 14, testCase: expect.objectContaining({ id: 'case-2' }) },
    ]);
  });

  it.each([
    [
      'an array at the root',
      '[1, 2]',
      1,
      'a JSON dataset must be an object with a test_cases (or cases) array, got an array',
    ],
    ['an empty file', '\n\n', 2, 'the file holds no JSON object'],
    ['no test_cases', '{\n  "name": "x"\n}', 3, 'the dataset has no test_cases (or cases) array'],
    ['test_cases not an array', '{\n"test_cases": {}}', 2, 'test_cases must be an array, got an object'],
    [
      'an unknown dataset field',
      '{"name": "x",\n "owner": "me", "test_cases": []}',
      2,
      'unknown dataset field owner (allowed: name, version, description, thresholds, test_cases or cases)',
    ],
    [
      'both test_cases and cases',
      '{"test_cases": [],\n"cases": []}',
      2,
      'the dataset has both test_cases and cases: keep one',
    ],
    [
      'a repeated dataset field',
      '{"test_cases": [],\n"test_cases": []}',
      2,
      'the dataset field test_cases appears twice',
    ],
    [
      'bad thresholds',
      '{"test_cases": [],\n"thresholds": {"f": "high"}}',
      2,
      'thresholds must be an object of metric names to numbers, got object',
    ],
    ['a bad name', '{"name": 3, "test_cases": []}', 1, 'name must be a string, got number'],
    ['trailing garbage', '{"test_cases": []}\n}', 2, 'invalid JSON: Parser cannot parse input: unexpected characters'],
  ])('throws UNREADABLE_DATASET for %s', async (_, text, line, detail) => {
    const { error } = await readUntilError(text, 'json');
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: 'UNREADABLE_DATASET', line, detail, message: `line ${line}: ${detail}` });
  });

  it('yields the cases before a syntax error, then throws at its line', async () => {
    const caseLine = '  {"question": "Q?", "answer": "A.", "contexts": []},';
    const text = [
      '{"name": "x", "test_cases": [',
      caseLine,
      caseLine,
      '  {"question": "Q?", "answer": oops}',
      ']}',
    ].join('\n');
    const { rows, error } = await readUntilError(text, 'json', 5);
    expect(rows.map((r) => r.kind)).toEqual(['header', 'case', 'case']);
    expect(error).toMatchObject({
      code: 'UNREADABLE_DATASET',
      line: 4,
      detail: 'invalid JSON: Parser cannot parse input: expected a value',
    });
  });

  it('throws at the last line for a truncated file, after the cases it could read', async () => {
    const caseLine = '  {"question": "Q?", "answer": "A.", "contexts": []},';
    const text = [
      '{"test_cases": [',
      caseLine,
      caseLine,
      '  {"question": "Q?", "answer": "A.",',
      '   "contexts": [',
    ].join('\n');
    const { rows, error } = await readUntilError(text, 'json');
    expect(rows).toHaveLength(2);
    expect(error).toMatchObject({
      code: 'UNREADABLE_DATASET',
      line: 5,
      detail: 'the JSON ends before the dataset object is closed (truncated file?)',
    });
  });
});
