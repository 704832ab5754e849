import {
  GATE_AGGREGATES,
  GATE_COMPARATORS,
  METRIC_NAME_PATTERN,
  isGateAggregate,
  isGateComparator,
  type GateAggregate,
  type GateComparator,
  type GateRule,
  type GateThreshold,
} from './gate-rule.js';
import { GateRuleError, GateRuleListError, type GateRuleIssue } from './gate-rule.errors.js';
import { tokenize, type Token } from './gate-rule.tokenizer.js';

/*
 * Grammar (whitespace free between tokens):
 *   rule      := call comparator threshold END
 *   call      := AGGREGATE '(' METRIC ')' | 'pass_rate' '(' METRIC ',' NUMBER ')'
 *   threshold := NUMBER | 'baseline' [ ('+' | '-') NUMBER ]
 * Numbers are unsigned decimals (0.8, .5, 1, 1e-2): scores live in [0, 1], so a sign is
 * only meaningful as a baseline offset.
 */
const AGGREGATE_LIST = GATE_AGGREGATES.join(', ');
const COMPARATOR_LIST = GATE_COMPARATORS.join(', ');

function shown(token: Token): string {
  return token.kind === 'end' ? 'end of rule' : `'${token.text}'`;
}

class GateRuleParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): GateRule {
    const { aggregate, metric, passThreshold } = this.call();
    const comparator = this.comparator();
    const threshold = this.threshold();
    this.expectEnd();
    const rule: GateRule = { aggregate, metric, comparator, threshold, source: this.source };
    return passThreshold === undefined ? rule : { ...rule, passThreshold };
  }

  private call(): { aggregate: GateAggregate; metric: string; passThreshold?: number } {
    const aggregate = this.aggregate();
    this.expectSymbol('(');
    const metric = this.metric();
    if (aggregate !== 'pass_rate') {
      this.expectSymbol(')');
      return { aggregate, metric };
    }
    this.expectSymbol(',', "pass_rate needs a pass threshold: expected ',' and a number, as in pass_rate(metric, 0.7)");
    const passThreshold = this.number();
    this.expectSymbol(')');
    return { aggregate, metric, passThreshold };
  }

  private aggregate(): GateAggregate {
    const token = this.next();
    if (token.kind === 'word' && isGateAggregate(token.text)) return token.text;
    const expected = `one of ${AGGREGATE_LIST}`;
    if (token.kind !== 'word') throw this.error(token, `an aggregate (${expected})`);
    throw this.error(token, expected, `unknown aggregate ${shown(token)} (expected ${expected})`);
  }

  private metric(): string {
    const token = this.next();
    if (token.kind !== 'word') throw this.error(token, 'a metric name');
    if (METRIC_NAME_PATTERN.test(token.text)) return token.text;
    const expected = 'a metric name matching [a-z][a-z0-9_]*';
    throw this.error(token, expected, `invalid metric name ${shown(token)} (expected ${expected})`);
  }

  private comparator(): GateComparator {
    const token = this.next();
    if (token.kind === 'symbol' && isGateComparator(token.text)) return token.text;
    throw this.error(token, `a comparator (${COMPARATOR_LIST})`);
  }

  private threshold(): GateThreshold {
    const token = this.peek();
    if (token.kind === 'number') return { kind: 'number', value: this.number() };
    if (token.kind !== 'word' || token.text !== 'baseline') throw this.error(token, "a number or 'baseline'");
    this.next();
    return { kind: 'baseline', offset: this.baselineOffset() };
  }

  private baselineOffset(): number {
    const sign = this.peek();
    if (sign.kind === 'end') return 0;
    if (sign.kind !== 'symbol' || (sign.text !== '+' && sign.text !== '-')) {
      throw this.error(sign, "'+', '-' or end of rule");
    }
    this.next();
    const magnitude = this.number();
    // "+ 0" keeps "baseline - 0" from producing -0, which would print differently.
    return (sign.text === '-' ? -magnitude : magnitude) + 0;
  }

  private number(): number {
    const token = this.next();
    if (token.kind !== 'number') throw this.error(token, 'a number');
    const value = Number(token.text);
    if (!Number.isFinite(value)) throw this.error(token, 'a finite number', `number ${shown(token)} is out of range`);
    return value;
  }

  private expectSymbol(symbol: string, problem?: string): void {
    const token = this.next();
    if (token.kind === 'symbol' && token.text === symbol) return;
    const expected = `'${symbol}'`;
    throw this.error(token, expected, problem === undefined ? undefined : `${problem}, found ${shown(token)}`);
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.error(token, 'end of rule');
  }

  private peek(): Token {
    // tokenize() always ends with an `end` token, and next() never moves past it.
    return this.tokens[this.position] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private error(token: Token, expected: string, problem?: string): GateRuleError {
    return new GateRuleError(this.source, token.column, expected, shown(token), problem);
  }
}

/** Parses one rule; throws GateRuleError (code INVALID_GATE_RULE) pointing at the offending column. */
export function parseGateRule(source: string): GateRule {
  return new GateRuleParser(source).parse();
}

/** Parses every rule; if any is bad, throws one GateRuleListError listing all bad rules. */
export function parseGateRules(sources: readonly string[]): GateRule[] {
  const rules: GateRule[] = [];
  const issues: GateRuleIssue[] = [];
  sources.forEach((source, index) => {
    try {
      rules.push(parseGateRule(source));
    } catch (error) {
      if (!(error instanceof GateRuleError)) throw error;
      const { rule, column, expected, found, message } = error;
      issues.push({ index, rule, column, expected, found, message });
    }
  });
  if (issues.length > 0) throw new GateRuleListError(issues);
  return rules;
}
