// Public API of the gates area: aggregates, rule grammar, evaluation, identity.
export { aggregateMetrics, aggregateScores, percentile, type ScoresByMetric } from './aggregates.js';
export { passRate, roundForComparison } from './comparison.js';
export {
  GATE_AGGREGATES,
  GATE_COMPARATORS,
  METRIC_NAME_PATTERN,
  type GateAggregate,
  type GateComparator,
  type GateRule,
  type GateThreshold,
} from './gate-rule.js';
export { GateRuleError, GateRuleListError, INVALID_GATE_RULE, type GateRuleIssue } from './gate-rule.errors.js';
export { parseGateRule, parseGateRules } from './gate-rule.parser.js';
export { printGateRule } from './gate-rule.printer.js';
export {
  evaluateGate,
  isMissingBaselinePolicy,
  MISSING_BASELINE_POLICIES,
  type BaselineRun,
  type GateBaseline,
  type GateOptions,
  type GateVerdict,
  type MissingBaselinePolicy,
} from './gate.js';
export {
  LEARNED_PASS_THRESHOLD,
  learnedBaselineIssues,
  learnedValue,
  type LearnedBaseline,
  type LearnedBaselines,
} from './learned-baseline.js';
export { gateIdentity, type GateScope } from './gate-identity.js';
