import { parseGateRule } from './gate-rule.parser.js';
import { printGateRule } from './gate-rule.printer.js';

describe('printGateRule', () => {
  it.each([
    ['  mean( faithfulness )>=0.80', 'mean(faithfulness) >= 0.8'],
    ['pass_rate(context_recall,.7)>=0.9', 'pass_rate(context_recall, 0.7) >= 0.9'],
    ['mean(x)>=baseline-0.02', 'mean(x) >= baseline - 0.02'],
    ['p90(x)<baseline+1e-1', 'p90(x) < baseline + 0.1'],
    ['mean(x) >= baseline + 0', 'mean(x) >= baseline'],
    ['min(x) != 1.', 'min(x) != 1'],
  ])('prints %j canonically as %j', (source, canonical) => {
    expect(printGateRule(parseGateRule(source))).toBe(canonical);
  });

  it.each(['mean(x) >= 1e-7', 'max(x) <= 1e+21', 'pass_rate(x, 0.123456789) == baseline - 0.000001'])(
    'reads back what it prints: %s',
    (source) => {
      const rule = parseGateRule(source);
      const reprinted = printGateRule(rule);
      expect({ ...parseGateRule(reprinted), source }).toEqual(rule);
    },
  );
});
