/** The aggregates a gate rule can judge a metric by. */
export const GATE_AGGREGATES = ['mean', 'min', 'max', 'p10', 'p50', 'p90', 'pass_rate'] as const;
export type GateAggregate = (typeof GATE_AGGREGATES)[number];

export const GATE_COMPARATORS = ['>=', '>', '<=', '<', '==', '!='] as const;
export type GateComparator = (typeof GATE_COMPARATORS)[number];

/** Metric names as rules may spell them. */
export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** The right side of a rule: a fixed number, or the baseline run's value of the same aggregate plus an offset. */
export type GateThreshold = { kind: 'number'; value: number } | { kind: 'baseline'; offset: number };

/** A parsed gate rule, e.g. `pass_rate(context_recall, 0.7) >= 0.9`. */
export interface GateRule {
  aggregate: GateAggregate;
  metric: string;
  /** Only for pass_rate: a case passes when its score is >= this. */
  passThreshold?: number;
  comparator: GateComparator;
  threshold: GateThreshold;
  /** The rule text exactly as written (reported back in GateRuleResult.rule). */
  source: string;
}

export function isGateAggregate(word: string): word is GateAggregate {
  return (GATE_AGGREGATES as readonly string[]).includes(word);
}

export function isGateComparator(symbol: string): symbol is GateComparator {
  return (GATE_COMPARATORS as readonly string[]).includes(symbol);
}
