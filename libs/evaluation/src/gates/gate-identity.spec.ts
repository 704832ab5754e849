import { gateIdentity, type GateScope } from './gate-identity.js';
import { parseGateRules } from './gate-rule.parser.js';

const scope: GateScope = { tenant: 'acme', project: 'search', dataset: { name: 'rag-qa' } };
const rules = ['mean(faithfulness) >= 0.8', 'pass_rate(context_recall, 0.7) >= 0.9'];

function id(ruleTexts: string[], over: Partial<GateScope> = {}): string {
  return gateIdentity({ ...scope, ...over }, parseGateRules(ruleTexts));
}

describe('gateIdentity', () => {
  it('is a sha256 hex string, the same on every call', () => {
    expect(id(rules)).toMatch(/^[0-9a-f]{64}$/);
    expect(id(rules)).toBe(id([...rules]));
  });

  it('ignores whitespace, number spelling, rule order and repeated rules', () => {
    const reworded = ['pass_rate( context_recall,.70 )>=0.90', '  mean(faithfulness)>=0.8', 'mean(faithfulness) >= .8'];
    expect(id(reworded)).toBe(id(rules));
  });

  it('changes with a threshold, a comparator, a pass threshold or a baseline offset', () => {
    const base = id(rules);
    expect(id(['mean(faithfulness) >= 0.81', rules[1]!])).not.toBe(base);
    expect(id(['mean(faithfulness) > 0.8', rules[1]!])).not.toBe(base);
    expect(id([rules[0]!, 'pass_rate(context_recall, 0.6) >= 0.9'])).not.toBe(base);
    expect(id(['mean(x) >= baseline - 0.02'])).not.toBe(id(['mean(x) >= baseline - 0.03']));
  });

  it('changes with the tenant, the project and the dataset', () => {
    const base = id(rules);
    expect(id(rules, { tenant: 'other' })).not.toBe(base);
    expect(id(rules, { project: 'other' })).not.toBe(base);
    expect(id(rules, { dataset: { name: 'other' } })).not.toBe(base);
    // An id and a name that happen to be spelled alike are different datasets.
    expect(id(rules, { dataset: { id: 'rag-qa' } })).not.toBe(base);
  });

  it('keeps field boundaries: moving text between tenant and project changes the id', () => {
    expect(id(rules, { tenant: 'ab', project: 'c' })).not.toBe(id(rules, { tenant: 'a', project: 'bc' }));
  });
});
