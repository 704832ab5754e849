import { GateRuleError, GateRuleListError } from './gate-rule.errors.js';
import { parseGateRule, parseGateRules } from './gate-rule.parser.js';

function parseError(source: string): GateRuleError {
  try {
    parseGateRule(source);
  } catch (error) {
    if (error instanceof GateRuleError) return error;
    throw error;
  }
  throw new Error(`expected "${source}" not to parse`);
}

describe('parseGateRule: valid rules', () => {
  it.each([
    [
      'mean(faithfulness) >= 0.8',
      { aggregate: 'mean', metric: 'faithfulness', comparator: '>=', threshold: { kind: 'number', value: 0.8 } },
    ],
    [
      'p10(answer_relevancy) >= 0.5',
      { aggregate: 'p10', metric: 'answer_relevancy', comparator: '>=', threshold: { kind: 'number', value: 0.5 } },
    ],
    [
      'min(token_f1) > 0.2',
      { aggregate: 'min', metric: 'token_f1', comparator: '>', threshold: { kind: 'number', value: 0.2 } },
    ],
    ['max(x) <= 1', { aggregate: 'max', metric: 'x', comparator: '<=', threshold: { kind: 'number', value: 1 } }],
    ['p50(x) == 0.5', { aggregate: 'p50', metric: 'x', comparator: '==', threshold: { kind: 'number', value: 0.5 } }],
    ['p90(x) != .5', { aggregate: 'p90', metric: 'x', comparator: '!=', threshold: { kind: 'number', value: 0.5 } }],
    ['mean(x) < 1e-2', { aggregate: 'mean', metric: 'x', comparator: '<', threshold: { kind: 'number', value: 0.01 } }],
    [
      'mean(faithfulness) >= baseline - 0.02',
      { aggregate: 'mean', metric: 'faithfulness', threshold: { kind: 'baseline', offset: -0.02 } },
    ],
    ['mean(x) >= baseline', { threshold: { kind: 'baseline', offset: 0 } }],
    ['p90(x) < baseline + 0.1', { aggregate: 'p90', comparator: '<', threshold: { kind: 'baseline', offset: 0.1 } }],
  ])('%s', (source, expected) => {
    expect(parseGateRule(source)).toMatchObject({ ...expected, source });
  });

  it('reads pass_rate with its pass threshold', () => {
    expect(parseGateRule('pass_rate(context_recall, 0.7) >= 0.9')).toEqual({
      aggregate: 'pass_rate',
      metric: 'context_recall',
      passThreshold: 0.7,
      comparator: '>=',
      threshold: { kind: 'number', value: 0.9 },
      source: 'pass_rate(context_recall, 0.7) >= 0.9',
    });
  });

  it('leaves passThreshold out of other aggregates', () => {
    expect(parseGateRule('mean(x) >= 1')).not.toHaveProperty('passThreshold');
  });

  it('accepts any whitespace, or none, between tokens and keeps the source as written', () => {
    const source = '\t pass_rate ( recall_2,.7 )>=baseline-0.05  ';
    expect(parseGateRule(source)).toEqual({
      aggregate: 'pass_rate',
      metric: 'recall_2',
      passThreshold: 0.7,
      comparator: '>=',
      threshold: { kind: 'baseline', offset: -0.05 },
      source,
    });
  });

  it('reads "baseline - 0" as offset 0, not -0', () => {
    const rule = parseGateRule('mean(x) >= baseline - 0');
    expect(rule.threshold).toEqual({ kind: 'baseline', offset: 0 });
    expect(Object.is(rule.threshold.kind === 'baseline' && rule.threshold.offset, 0)).toBe(true);
  });

  it('lets a metric be called baseline', () => {
    expect(parseGateRule('mean(baseline) >= baseline')).toMatchObject({
      metric: 'baseline',
      threshold: { kind: 'baseline' },
    });
  });
});

describe('parseGateRule: errors point at the offending column', () => {
  it.each([
    ['mean(faithfulness) >= 0.8x', 26, "expected end of rule, found 'x'"],
    ['avg(x) >= 1', 1, "unknown aggregate 'avg' (expected one of mean, min, max, p10, p50, p90, pass_rate)"],
    ['MEAN(x) >= 1', 1, "unknown aggregate 'MEAN' (expected one of mean, min, max, p10, p50, p90, pass_rate)"],
    ['mean(x) >=', 11, "expected a number or 'baseline', found end of rule"],
    [
      'pass_rate(x) >= 0.9',
      12,
      "pass_rate needs a pass threshold: expected ',' and a number, as in pass_rate(metric, 0.7), found ')'",
    ],
    ['pass_rate(x, y) >= 0.9', 14, "expected a number, found 'y'"],
    ['pass_rate(x, 0.7 >= 0.9', 18, "expected ')', found '>='"],
    ['mean(x, 0.5) >= 1', 7, "expected ')', found ','"],
    ['mean x) >= 1', 6, "expected '(', found 'x'"],
    ['mean() >= 1', 6, "expected a metric name, found ')'"],
    ['mean(1x) >= 1', 6, "expected a metric name, found '1'"],
    ['mean(Faith) >= 1', 6, "invalid metric name 'Faith' (expected a metric name matching [a-z][a-z0-9_]*)"],
    ['mean(x) = 0.8', 9, "expected a comparator (>=, >, <=, <, ==, !=), found '='"],
    ['mean(x) => 0.8', 9, "expected a comparator (>=, >, <=, <, ==, !=), found '='"],
    ['mean(x) 0.8', 9, "expected a comparator (>=, >, <=, <, ==, !=), found '0.8'"],
    ['mean(x) >= -0.1', 12, "expected a number or 'baseline', found '-'"],
    ['mean(x) >= .', 12, "expected a number or 'baseline', found '.'"],
    ['mean(x) >= base', 12, "expected a number or 'baseline', found 'base'"],
    ['mean(x) >= baseline 0.1', 21, "expected '+', '-' or end of rule, found '0.1'"],
    ['mean(x) >= baseline -', 22, 'expected a number, found end of rule'],
    ['mean(x) >= 1e999', 12, "number '1e999' is out of range"],
    ['mean(x) >= 0.8 🙂', 16, "expected end of rule, found '🙂'"],
    ['', 1, 'expected an aggregate (one of mean, min, max, p10, p50, p90, pass_rate), found end of rule'],
  ])('%s', (source, column, problem) => {
    const error = parseError(source);
    expect(error.message).toBe(`column ${column}: ${problem}`);
    expect(error).toMatchObject({ code: 'INVALID_GATE_RULE', rule: source, column });
  });

  it('exposes what was expected and what was found', () => {
    expect(parseError('mean(faithfulness) >= 0.8x')).toMatchObject({ expected: 'end of rule', found: "'x'" });
    expect(parseError('mean(x) >=')).toMatchObject({ expected: "a number or 'baseline'", found: 'end of rule' });
  });
});

describe('parseGateRules', () => {
  it('parses every rule in order', () => {
    const rules = parseGateRules(['mean(x) >= 0.8', 'pass_rate(y, 0.5) > 0.9']);
    expect(rules.map((rule) => rule.metric)).toEqual(['x', 'y']);
  });

  it('reports every bad rule with its index and column', () => {
    let caught: unknown;
    try {
      parseGateRules(['mean(x) >= 0.8', 'avg(x) >= 1', 'mean(y) >= 0.5', 'mean(x) >=']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GateRuleListError);
    const error = caught as GateRuleListError;
    expect(error.code).toBe('INVALID_GATE_RULE');
    expect(error.issues.map(({ index, column }) => ({ index, column }))).toEqual([
      { index: 1, column: 1 },
      { index: 3, column: 11 },
    ]);
    expect(error.issues[1]).toEqual({
      index: 3,
      rule: 'mean(x) >=',
      column: 11,
      expected: "a number or 'baseline'",
      found: 'end of rule',
      message: "column 11: expected a number or 'baseline', found end of rule",
    });
    expect(error.message).toBe(
      "invalid gate rules: rules[1] column 1: unknown aggregate 'avg' " +
        '(expected one of mean, min, max, p10, p50, p90, pass_rate); ' +
        "rules[3] column 11: expected a number or 'baseline', found end of rule",
    );
  });

  it('accepts an empty list', () => {
    expect(parseGateRules([])).toEqual([]);
  });
});
