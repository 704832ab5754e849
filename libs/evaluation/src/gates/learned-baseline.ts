import type { GateRuleIssue } from './gate-rule.errors.js';
import type { GateRule } from './gate-rule.js';
import { roundForComparison } from './comparison.js';
import { tokenize } from './gate-rule.tokenizer.js';

/**
 * Domain Memory's learned baseline of one dataset and metric (LearningUpdated.baseline): running
 * means over the runs it learned from of each run's mean, p10, p50, p90 and pass rate. It keeps
 * no case scores, so a gate can compare only with these figures.
 */
export interface LearnedBaseline {
  learningId: string;
  /** Runs it learned from (baseline.count): one more per LearningUpdated, so it orders versions. */
  version: number;
  /** The last run it learned from. */
  runId: string;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  /** Share of a run's cases scoring at least LEARNED_PASS_THRESHOLD. */
  passRate: number;
}

/** The pass threshold memory's passRate is counted at (services/memory's formation: a case passes at 0.5). */
export const LEARNED_PASS_THRESHOLD = 0.5;

/** The baselines a run using memory compares with: its dataset's learnings by metric (none: no learning yet). */
export interface LearnedBaselines {
  source: 'memory';
  learnings: ReadonlyMap<string, LearnedBaseline>;
}

/**
 * The learned value of a rule's aggregate, or null when memory has none for it: no learning of the
 * metric, or an aggregate the learned baseline does not keep (refused at submission, see
 * learnedBaselineIssues, so null here only means "no learning yet").
 */
export function learnedValue(learnings: LearnedBaselines, rule: GateRule): number | null {
  const learning = learnings.learnings.get(rule.metric);
  if (!learning) return null;
  switch (rule.aggregate) {
    case 'mean':
    case 'p10':
    case 'p50':
    case 'p90':
      return learning[rule.aggregate];
    case 'pass_rate':
      return passesAtLearnedThreshold(rule) ? learning.passRate : null;
    case 'min':
    case 'max':
      return null;
    default: {
      const unexpected: never = rule.aggregate;
      throw new Error(`unknown aggregate ${String(unexpected)}`);
    }
  }
}

const passesAtLearnedThreshold = (rule: GateRule): boolean =>
  rule.passThreshold !== undefined &&
  roundForComparison(rule.passThreshold) === roundForComparison(LEARNED_PASS_THRESHOLD);

/**
 * Why each `baseline` rule cannot be judged against a learned baseline, naming the rule and the
 * column of what it asks for: min and max are not learned, and pass_rate only at the threshold
 * memory counts it at. A run using memory with such a rule is refused at submission rather than
 * judged on something else.
 */
export function learnedBaselineIssues(rules: readonly GateRule[]): GateRuleIssue[] {
  const issues: GateRuleIssue[] = [];
  rules.forEach((rule, index) => {
    if (rule.threshold.kind !== 'baseline') return;
    const tokens = tokenize(rule.source);
    const issue = (column: number, expected: string, found: string, problem: string): GateRuleIssue => ({
      index,
      rule: rule.source,
      column,
      expected,
      found,
      message: `column ${column}: ${problem}`,
    });
    if (rule.aggregate === 'min' || rule.aggregate === 'max') {
      const column = tokens[0]?.column ?? 1;
      issues.push(
        issue(
          column,
          'mean, p10, p50, p90 or pass_rate(metric, 0.5)',
          `'${rule.aggregate}'`,
          `memory's learned baseline has no ${rule.aggregate}: compare mean, p10, p50, p90 or ` +
            `pass_rate(${rule.metric}, ${LEARNED_PASS_THRESHOLD}) with baseline, or use a fixed threshold`,
        ),
      );
    } else if (rule.aggregate === 'pass_rate' && !passesAtLearnedThreshold(rule)) {
      // call := 'pass_rate' '(' METRIC ',' NUMBER ')': the pass threshold is the fifth token.
      const threshold = tokens[4];
      issues.push(
        issue(
          threshold?.column ?? 1,
          String(LEARNED_PASS_THRESHOLD),
          `'${threshold?.text ?? rule.passThreshold}'`,
          `memory learns pass_rate at ${LEARNED_PASS_THRESHOLD} only: ` +
            `pass_rate(${rule.metric}, ${LEARNED_PASS_THRESHOLD}) can compare with baseline`,
        ),
      );
    }
  });
  return issues;
}
