import type { CaseRow, InvalidRow, RowErrorCode } from './dataset-row.js';
import { CaseValidator } from './validate-case.js';

/**
 * Turns a reader's raw cases into rows: numbers them, validates them (duplicates included)
 * and puts the line in front of every reason. One per dataset read.
 */
export class RowBuilder {
  private readonly validator = new CaseValidator();
  private nextIndex = 0;

  fromRaw(raw: unknown, line: number): CaseRow | InvalidRow {
    const index = this.nextIndex++;
    const check = this.validator.check(raw, index);
    if (check.ok) return { kind: 'case', index, line, testCase: check.testCase };
    return {
      kind: 'invalid',
      index,
      line,
      caseId: check.caseId,
      errorCode: check.errorCode,
      reason: `line ${line}: ${check.message}`,
    };
  }

  /** A row the reader rejected before validation (bad JSON, wrong field count). */
  invalid(line: number, errorCode: RowErrorCode, message: string): InvalidRow {
    const index = this.nextIndex++;
    return { kind: 'invalid', index, line, caseId: null, errorCode, reason: `line ${line}: ${message}` };
  }
}
