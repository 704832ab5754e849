import type { GateRuleResult } from '@evalvault/contracts';
import type { RunView } from '@evalvault/service-apis';
import { EXIT_ERROR, EXIT_GATE_FAILED, EXIT_GATE_PASSED, outcomeOf } from './exit-codes.js';

const base = {
  runId: 'r1',
  counts: { total: 1, evaluated: 1, failed: 0 },
  failure: null,
  gate: null,
} as unknown as RunView;
const rule = (passed: boolean, actual: number | null): GateRuleResult => ({
  rule: 'mean(token_f1) >= 0.6',
  metric: 'token_f1',
  aggregate: 'mean',
  comparator: '>=',
  threshold: 0.6,
  actual,
  passed,
  baselineValue: null,
  noBaseline: false,
});
const baselineRule = (passed: boolean, baselineValue: number | null) => ({
  ...rule(passed, 0.7),
  rule: 'mean(token_f1) >= baseline - 0.05',
  threshold: baselineValue === null ? -0.05 : baselineValue - 0.05,
  baselineValue,
  noBaseline: baselineValue === null,
});
const gate = (passed: boolean, rules: GateRuleResult[], baselineRunId: string | null = null) => ({
  passed,
  rules,
  baselineRunId,
  baselineSource: baselineRunId === null ? null : { kind: 'run', runId: baselineRunId, learnings: [] },
});

describe('exit codes', () => {
  it('is 0 for a passed gate and 1 for a failed one, naming each failing rule with actual and threshold', () => {
    expect(outcomeOf({ ...base, status: 'completed', gate: gate(true, [rule(true, 0.7)]) })).toEqual({
      exitCode: EXIT_GATE_PASSED,
      reason: 'gate passed (1 rule)',
    });
    expect(
      outcomeOf({
        ...base,
        status: 'completed',
        gate: gate(false, [rule(false, 0.41234567), rule(true, 1)]),
      }),
    ).toEqual({
      exitCode: EXIT_GATE_FAILED,
      reason: 'gate failed: mean(token_f1) >= 0.6 (actual 0.4123, threshold 0.6)',
    });
    expect(outcomeOf({ ...base, status: 'completed', gate: gate(false, [rule(false, null)]) }).reason).toContain(
      'actual none',
    );
  });

  it('is 0 for a completed run without a gate, saying no gate was set', () => {
    expect(outcomeOf({ ...base, status: 'completed', verdict: 'none', gateRules: [], gate: null })).toEqual({
      exitCode: EXIT_GATE_PASSED,
      reason: 'run r1 completed; no gate was set',
    });
  });

  it('names the baseline run a baseline rule compared with, or that there was none yet', () => {
    const compared = gate(true, [baselineRule(true, 0.8)], 'run-0');
    expect(outcomeOf({ ...base, status: 'completed', gate: compared }).reason).toBe(
      'gate passed (1 rule; baseline run run-0)',
    );
    expect(outcomeOf({ ...base, status: 'completed', gate: gate(false, [baselineRule(false, null)]) })).toEqual({
      exitCode: EXIT_GATE_FAILED,
      reason: 'gate failed: mean(token_f1) >= baseline - 0.05 (actual 0.7, no baseline); no baseline yet',
    });
  });

  it('is 2 when there is no verdict: the run failed, was cancelled or is unfinished', () => {
    expect(
      outcomeOf({ ...base, status: 'failed', failure: { reason: 'budget', message: 'project budget spent' } }),
    ).toEqual({ exitCode: EXIT_ERROR, reason: 'run r1 failed (budget): project budget spent' });
    expect(
      outcomeOf({ ...base, status: 'cancelled', failure: { reason: 'cancelled', message: 'wrong prompt' } }),
    ).toEqual({ exitCode: EXIT_ERROR, reason: 'run r1 was cancelled: wrong prompt' });
    expect(outcomeOf({ ...base, status: 'running' }).exitCode).toBe(EXIT_ERROR);
    expect(outcomeOf({ ...base, status: 'completed', gate: null }).exitCode).toBe(EXIT_ERROR);
  });
});
