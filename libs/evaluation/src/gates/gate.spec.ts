import { EventCodec } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import type { ScoresByMetric } from './aggregates.js';
import { evaluateGate, type BaselineRun, type GateOptions } from './gate.js';
import { parseGateRules } from './gate-rule.parser.js';

function scores(byMetric: Record<string, number[]>): ScoresByMetric {
  return new Map(Object.entries(byMetric));
}

function baselineRun(byMetric: Record<string, number[]>): BaselineRun {
  return { runId: 'run-base', scores: scores(byMetric) };
}

function gate(
  rules: string[],
  current: Record<string, number[]>,
  baseline: BaselineRun | null = null,
  options: GateOptions = {},
) {
  return evaluateGate(parseGateRules(rules), scores(current), baseline, options);
}

describe('evaluateGate: fixed thresholds', () => {
  it('reports each rule with its metric, aggregate, comparator, threshold and actual value', () => {
    const verdict = gate(['mean(faithfulness) >= 0.8', 'p10(faithfulness) > 0.75'], { faithfulness: [0.7, 0.9, 0.95] });
    expect(verdict.rules).toEqual([
      {
        rule: 'mean(faithfulness) >= 0.8',
        metric: 'faithfulness',
        aggregate: 'mean',
        comparator: '>=',
        threshold: 0.8,
        actual: 0.85,
        passed: true,
        baselineValue: null,
        noBaseline: false,
      },
      // p10 of [0.7, 0.9, 0.95]: rank 0.2 -> 0.7 + 0.2 * 0.2 = 0.74
      {
        rule: 'p10(faithfulness) > 0.75',
        metric: 'faithfulness',
        aggregate: 'p10',
        comparator: '>',
        threshold: 0.75,
        actual: 0.74,
        passed: false,
        baselineValue: null,
        noBaseline: false,
      },
    ]);
    expect(verdict).toMatchObject({ passed: false, baselineRunId: null });
  });

  it('passes when every rule passes', () => {
    expect(gate(['min(x) >= 0.5', 'max(x) <= 1', 'p50(x) == 0.75', 'p90(x) != 0.5'], { x: [0.5, 1] }).passed).toBe(
      true,
    );
  });

  it('ignores float noise below 1e-9', () => {
    expect(gate(['mean(x) >= 0.8'], { x: [0.8, 0.8] }).passed).toBe(true);
    const noisy = gate(['mean(x) == 0.2'], { x: [0.1, 0.2, 0.3] });
    expect(noisy.rules[0]).toMatchObject({ actual: 0.2, passed: true });
  });

  it('judges pass_rate as the share of cases at or above the pass threshold', () => {
    const current = { context_recall: [0.7, 0.69, 0.9, 0.5] };
    expect(gate(['pass_rate(context_recall, 0.7) >= 0.5'], current).rules[0]).toMatchObject({
      aggregate: 'pass_rate',
      actual: 0.5,
      passed: true,
    });
    expect(gate(['pass_rate(context_recall, 0.7) >= 0.6'], current).passed).toBe(false);
  });

  it('fails a rule whose metric has no scores, with actual null', () => {
    const verdict = gate(['mean(x) >= 0', 'pass_rate(x, 0.5) >= 0', 'mean(y) >= 0'], { x: [], z: [1] });
    expect(verdict.rules.map(({ actual, passed }) => ({ actual, passed }))).toEqual([
      { actual: null, passed: false },
      { actual: null, passed: false },
      { actual: null, passed: false },
    ]);
    expect(verdict.passed).toBe(false);
  });

  it('passes a gate without rules', () => {
    expect(gate([], {})).toEqual({ passed: true, rules: [], baselineRunId: null, baselineSource: null });
  });
});

describe('evaluateGate: baseline thresholds', () => {
  const rules = ['mean(faithfulness) >= baseline - 0.02'];

  it('resolves the threshold as the baseline value plus the offset, and reports the baseline value', () => {
    const baseline = baselineRun({ faithfulness: [0.8, 0.9] });
    const verdict = gate(rules, { faithfulness: [0.83, 0.83] }, baseline);
    expect(verdict.rules[0]).toMatchObject({
      threshold: 0.83,
      actual: 0.83,
      passed: true,
      baselineValue: 0.85,
      noBaseline: false,
    });
    expect(verdict).toMatchObject({ passed: true, baselineRunId: 'run-base' });
    expect(gate(rules, { faithfulness: [0.82] }, baseline).passed).toBe(false);
  });

  it('computes every aggregate of the baseline from its case scores, as for the run judged', () => {
    const baseline = baselineRun({ x: [0.2, 0.6, 0.6, 0.9] });
    const verdict = gate(
      ['p90(x) < baseline + 0.1', 'pass_rate(x, 0.5) >= baseline', 'p10(x) >= baseline - 0.05', 'min(x) > baseline'],
      { x: [0.5, 0.7, 0.8, 0.95] },
      baseline,
    );
    // baseline p90: rank 2.7 -> 0.6 + 0.7 * 0.3 = 0.81, + 0.1 = 0.91; current p90: 0.8 + 0.7 * 0.15 = 0.905
    expect(verdict.rules[0]).toMatchObject({ threshold: 0.91, actual: 0.905, passed: true, baselineValue: 0.81 });
    expect(verdict.rules[1]).toMatchObject({ threshold: 0.75, actual: 1, passed: true, baselineValue: 0.75 });
    // baseline p10: rank 0.3 -> 0.2 + 0.3 * 0.4 = 0.32, - 0.05 = 0.27; current p10: 0.5 + 0.3 * 0.2 = 0.56
    expect(verdict.rules[2]).toMatchObject({ threshold: 0.27, actual: 0.56, passed: true, baselineValue: 0.32 });
    expect(verdict.rules[3]).toMatchObject({ threshold: 0.2, actual: 0.5, passed: true, baselineValue: 0.2 });
  });

  it('fails a pass_rate rule when the run passes fewer cases than its baseline did at that threshold', () => {
    const baseline = baselineRun({ context_recall: [0.9, 0.8, 0.75, 0.2] }); // 3 of 4 at or above 0.7
    const verdict = gate(
      ['pass_rate(context_recall, 0.7) >= baseline'],
      { context_recall: [0.9, 0.6, 0.5, 0.8] },
      baseline,
    );
    expect(verdict.rules[0]).toMatchObject({ threshold: 0.75, actual: 0.5, passed: false, noBaseline: false });
    expect(verdict.passed).toBe(false);
  });

  it('fails a baseline rule when there is no baseline run yet, and says so', () => {
    const verdict = gate(['mean(x) >= 0.5', ...rules], { x: [0.6], faithfulness: [0.1] }, null);
    expect(verdict.rules[1]).toMatchObject({
      threshold: -0.02,
      actual: 0.1,
      passed: false,
      baselineValue: null,
      noBaseline: true,
    });
    expect(verdict).toMatchObject({ passed: false, baselineRunId: null });
  });

  it('passes a rule without a baseline when the run asks for it (missingBaseline: pass), still saying so', () => {
    const verdict = gate(rules, { faithfulness: [0.1] }, null, { missingBaseline: 'pass' });
    expect(verdict.rules[0]).toMatchObject({ actual: 0.1, passed: true, noBaseline: true });
    expect(verdict.passed).toBe(true);
  });

  it('treats a metric the baseline run has no scores for as a missing baseline', () => {
    const verdict = gate(
      ['mean(x) >= baseline', 'pass_rate(y, 0.5) > baseline'],
      { x: [0.4], y: [0.4] },
      baselineRun({ y: [], z: [0.9] }),
    );
    expect(verdict).toMatchObject({ passed: false, baselineRunId: 'run-base' });
    expect(verdict.rules.map(({ threshold, noBaseline }) => ({ threshold, noBaseline }))).toEqual([
      { threshold: 0, noBaseline: true },
      { threshold: 0, noBaseline: true },
    ]);
  });

  it('still fails a baseline rule whose own metric has no scores, whatever the policy', () => {
    const verdict = gate(rules, {}, null, { missingBaseline: 'pass' });
    expect(verdict.rules[0]).toMatchObject({ actual: null, passed: false, noBaseline: true });
    expect(verdict.passed).toBe(false);
  });

  it('names no baseline run when no rule refers to the baseline', () => {
    expect(gate(['mean(x) >= 0.5'], { x: [1] }, baselineRun({ x: [1] })).baselineRunId).toBeNull();
  });
});

describe('evaluateGate: contract', () => {
  it('produces rule results a GateFailed event accepts as they are', () => {
    const verdict = gate(['mean(x) >= baseline + 0.1', 'mean(y) >= 0.5'], { x: [0.5] }, baselineRun({ x: [0.5] }));
    const event = testEvent('GateFailed', {
      gateId: 'a'.repeat(64),
      subject: {
        runId: 'run-1',
        dataset: { id: 'ds', name: null, version: 1, contentHash: 'b'.repeat(64) },
        prompt: null,
        modelProfile: null,
        configHash: 'c'.repeat(64),
      },
      rules: verdict.rules,
      baselineRunId: verdict.baselineRunId,
      baselineSource: verdict.baselineSource,
    });
    expect(verdict.baselineSource).toEqual({ kind: 'run', runId: 'run-base', learnings: [] });
    const codec = new EventCodec();
    expect(codec.decode(codec.encode(event))).toEqual({ ...event, schemaVersion: expect.any(Number) });
  });
});
