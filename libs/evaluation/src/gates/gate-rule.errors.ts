export const INVALID_GATE_RULE = 'INVALID_GATE_RULE';

/**
 * One rule that does not parse. The message reads "column N: <problem>"; the fields let an
 * API answer point at the exact spot without re-parsing the message.
 */
export class GateRuleError extends Error {
  readonly code = INVALID_GATE_RULE;

  constructor(
    /** The rule text as given. */
    readonly rule: string,
    /** 1-based position of the offending token (text length + 1 for "end of rule"). */
    readonly column: number,
    readonly expected: string,
    /** The offending token as shown to the user: 'x' (quoted) or end of rule. */
    readonly found: string,
    problem = `expected ${expected}, found ${found}`,
  ) {
    super(`column ${column}: ${problem}`);
    this.name = 'GateRuleError';
  }
}

/** One bad rule of a list, as plain data an API can return. */
export interface GateRuleIssue {
  /** 0-based index of the rule in the list. */
  index: number;
  rule: string;
  column: number;
  expected: string;
  found: string;
  message: string;
}

/** Every bad rule of a list at once, so a user fixes them in one round trip. */
export class GateRuleListError extends Error {
  readonly code = INVALID_GATE_RULE;

  constructor(readonly issues: readonly GateRuleIssue[]) {
    super(`invalid gate rules: ${issues.map((issue) => `rules[${issue.index}] ${issue.message}`).join('; ')}`);
    this.name = 'GateRuleListError';
  }
}
