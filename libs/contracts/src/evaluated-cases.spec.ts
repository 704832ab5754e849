import { caseEvaluatedPayload, evaluatedCases } from './evaluated-cases.js';
import type { CaseEvaluatedPayload, EvaluatedCase } from './generated/events.js';

const scored = (caseIndex: number): EvaluatedCase => ({
  caseId: `c${caseIndex}`,
  caseIndex,
  scores: [{ metric: 'token_f1', score: caseIndex / 10, explanation: '' }],
  durationMs: 1,
  usage: null,
});

describe('evaluatedCases', () => {
  it('reads every case of a batched event, first case on top', () => {
    const payload = caseEvaluatedPayload('r1', [scored(0), scored(1), scored(2)]);
    expect(payload).toMatchObject({ runId: 'r1', caseIndex: 0, moreCases: [scored(1), scored(2)] });
    expect(evaluatedCases(payload)).toEqual([scored(0), scored(1), scored(2)]);
  });

  it('reads an event written before version 2 (no moreCases) as its one case', () => {
    const { moreCases: _dropped, ...v1 } = caseEvaluatedPayload('r1', [scored(4)]);
    expect(evaluatedCases(v1 as CaseEvaluatedPayload)).toEqual([scored(4)]);
  });

  it('refuses an empty batch', () => {
    expect(() => caseEvaluatedPayload('r1', [])).toThrow(/at least one case/);
  });
});
