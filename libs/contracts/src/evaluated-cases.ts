import type { CaseEvaluatedPayload, EvaluatedCase } from './generated/events.js';

/**
 * Every case a CaseEvaluated event reports: its own case fields, then `moreCases` (version 2
 * batches them). Events stored before version 2 may lack `moreCases` altogether.
 */
export function evaluatedCases(payload: CaseEvaluatedPayload): EvaluatedCase[] {
  const { caseId, caseIndex, scores, durationMs, usage } = payload;
  return [{ caseId, caseIndex, scores, durationMs, usage }, ...(payload.moreCases ?? [])];
}

/** One CaseEvaluated payload for scored cases of a run (at least one), first case on top. */
export function caseEvaluatedPayload(runId: string, cases: readonly EvaluatedCase[]): CaseEvaluatedPayload {
  const [first, ...more] = cases;
  if (!first) throw new Error('a CaseEvaluated event reports at least one case');
  return { runId, ...first, moreCases: more };
}
