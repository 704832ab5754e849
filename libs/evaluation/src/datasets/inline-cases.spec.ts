import { casesFromInline } from './inline-cases.js';

describe('casesFromInline', () => {
  it('validates request cases with the file rules, locating problems by array index', () => {
    const rows = casesFromInline([
      { id: 1, question: 'Q?', answer: 'A.', contexts: ['c'], ground_truth: 'G.', metadata: { k: 1 } },
      { question: 'Q?', answer: 'A.', contexts: [] },
      { question: 'Q?', answer: 'A.', contexts: [], groundTruth: 'G.' },
      { id: '1', question: 'Q?', answer: 'A.', contexts: [] },
      null,
      { id: '', question: ' ', contexts: [1] },
    ]);
    expect(rows).toEqual([
      {
        kind: 'case',
        index: 0,
        testCase: { id: '1', question: 'Q?', answer: 'A.', contexts: ['c'], groundTruth: 'G.', metadata: { k: 1 } },
      },
      {
        kind: 'case',
        index: 1,
        testCase: { id: 'case-2', question: 'Q?', answer: 'A.', contexts: [], groundTruth: null },
      },
      {
        kind: 'invalid',
        index: 2,
        caseId: 'case-3',
        errorCode: 'UNKNOWN_FIELD',
        reason: 'cases[2]: unknown field groundTruth (allowed: id, question, answer, contexts, ground_truth, metadata)',
      },
      {
        kind: 'invalid',
        index: 3,
        caseId: '1',
        errorCode: 'DUPLICATE_CASE_ID',
        reason: 'cases[3]: case id "1" is already used by an earlier case of this dataset',
      },
      {
        kind: 'invalid',
        index: 4,
        caseId: null,
        errorCode: 'NOT_AN_OBJECT',
        reason: 'cases[4]: a case must be an object, got null',
      },
      {
        kind: 'invalid',
        index: 5,
        caseId: null,
        errorCode: 'INVALID_FIELD',
        reason:
          'cases[5]: id must be a non-empty string or a number, got empty string; ' +
          'question must be a non-empty string, got blank string; answer is required; ' +
          'contexts must be an array of strings, got number at contexts[0]',
      },
    ]);
  });

  it('reports a missing contexts field as required', () => {
    expect(casesFromInline([{ question: 'Q?', answer: 'A.' }])[0]).toMatchObject({
      errorCode: 'MISSING_FIELD',
      reason: 'cases[0]: contexts is required (use [] for none)',
    });
  });
});
