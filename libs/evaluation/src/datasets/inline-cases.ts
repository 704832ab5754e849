import type { CaseRow, InvalidRow } from './dataset-row.js';
import { CaseValidator } from './validate-case.js';

export type InlineCaseRow = Omit<CaseRow, 'line'>;
/** Like a file's invalid row, located as `cases[<index>]` since a request body has no lines. */
export type InlineInvalidRow = Omit<InvalidRow, 'line'>;

/**
 * Validates cases sent inline in an API request with the rules files follow (same field
 * names, snake_case ground_truth only, unknown fields rejected, duplicate ids rejected), so
 * a dataset is accepted or refused the same way whichever way it arrives.
 */
export function casesFromInline(cases: readonly unknown[]): Array<InlineCaseRow | InlineInvalidRow> {
  const validator = new CaseValidator();
  return cases.map((raw, index) => {
    const check = validator.check(raw, index);
    if (check.ok) return { kind: 'case', index, testCase: check.testCase };
    return {
      kind: 'invalid',
      index,
      caseId: check.caseId,
      errorCode: check.errorCode,
      reason: `cases[${index}]: ${check.message}`,
    };
  });
}
