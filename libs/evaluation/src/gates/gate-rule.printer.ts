import type { GateRule, GateThreshold } from './gate-rule.js';

// String(number) is the shortest text that reads back as the same double ("0.80" and ".8" both print "0.8"),
// and its exponent forms ("1e-7", "1e+21") are ones the parser accepts.
function printNumber(value: number): string {
  return String(value);
}

function printThreshold(threshold: GateThreshold): string {
  switch (threshold.kind) {
    case 'number':
      return printNumber(threshold.value);
    case 'baseline':
      if (threshold.offset === 0) return 'baseline';
      return `baseline ${threshold.offset < 0 ? '-' : '+'} ${printNumber(Math.abs(threshold.offset))}`;
    default: {
      const unexpected: never = threshold;
      throw new Error(`unknown threshold ${JSON.stringify(unexpected)}`);
    }
  }
}

/**
 * The canonical text of a rule: one space around the comparator and offset sign, ", " between
 * arguments, numbers in shortest form. Rules that mean the same print the same, which is what
 * gate identity relies on; parseGateRule(printGateRule(r)) gives r back (apart from source).
 */
export function printGateRule(rule: GateRule): string {
  const passThreshold = rule.passThreshold === undefined ? '' : `, ${printNumber(rule.passThreshold)}`;
  return `${rule.aggregate}(${rule.metric}${passThreshold}) ${rule.comparator} ${printThreshold(rule.threshold)}`;
}
