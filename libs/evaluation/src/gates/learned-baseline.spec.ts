import { EventCodec } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { evaluateGate } from './gate.js';
import { parseGateRules } from './gate-rule.parser.js';
import { learnedBaselineIssues, type LearnedBaseline, type LearnedBaselines } from './learned-baseline.js';

const faithfulness: LearnedBaseline = {
  learningId: 'a'.repeat(32),
  version: 3,
  runId: 'run-3',
  mean: 0.8,
  p10: 0.5,
  p50: 0.85,
  p90: 0.95,
  passRate: 0.9,
};

const memory = (learnings: Record<string, LearnedBaseline> = { faithfulness_lexical: faithfulness }) =>
  ({ source: 'memory', learnings: new Map(Object.entries(learnings)) }) satisfies LearnedBaselines;

function judge(rules: string[], scores: number[], baseline: LearnedBaselines, missingBaseline: 'fail' | 'pass') {
  return evaluateGate(parseGateRules(rules), new Map([['faithfulness_lexical', scores]]), baseline, {
    missingBaseline,
  });
}

describe('evaluateGate against memory’s learned baseline', () => {
  it('compares the run’s mean with the learned mean plus the offset (hand-checked)', () => {
    // Run mean (0.7 + 0.8 + 0.9) / 3 = 0.8; learned mean 0.8 - 0.05 = 0.75: passes.
    // Run mean (0.6 + 0.7 + 0.8) / 3 = 0.7 < 0.75: fails.
    const passing = judge(['mean(faithfulness_lexical) >= baseline - 0.05'], [0.7, 0.8, 0.9], memory(), 'fail');
    const failing = judge(['mean(faithfulness_lexical) >= baseline - 0.05'], [0.6, 0.7, 0.8], memory(), 'fail');
    expect(passing.rules[0]).toMatchObject({ actual: 0.8, threshold: 0.75, baselineValue: 0.8, passed: true });
    expect(failing.rules[0]).toMatchObject({ actual: 0.7, threshold: 0.75, baselineValue: 0.8, passed: false });
    expect(failing.rules[0]?.noBaseline).toBe(false);
  });

  it('uses the learned p10, p50, p90 and pass rate at 0.5', () => {
    // Scores [0.4, 0.6, 0.8, 1.0]: p10 rank 0.3 → 0.4 + 0.3·0.2 = 0.46; p50 = 0.7; p90 rank 2.7 → 0.8 + 0.7·0.2 = 0.94;
    // pass rate at 0.5 = 3/4 = 0.75.
    const verdict = judge(
      [
        'p10(faithfulness_lexical) >= baseline',
        'p50(faithfulness_lexical) >= baseline - 0.2',
        'p90(faithfulness_lexical) >= baseline',
        'pass_rate(faithfulness_lexical, 0.5) >= baseline - 0.1',
      ],
      [0.4, 0.6, 0.8, 1.0],
      memory(),
      'fail',
    );
    expect(verdict.rules.map(({ actual, threshold, passed }) => ({ actual, threshold, passed }))).toEqual([
      { actual: 0.46, threshold: 0.5, passed: false },
      { actual: 0.7, threshold: 0.65, passed: true },
      { actual: 0.94, threshold: 0.95, passed: false },
      { actual: 0.75, threshold: 0.8, passed: false },
    ]);
  });

  it('says the verdict used memory, with the learning and its version, and no baseline run', () => {
    const verdict = judge(['mean(faithfulness_lexical) >= baseline'], [0.9], memory(), 'fail');
    expect(verdict.baselineRunId).toBeNull();
    expect(verdict.baselineSource).toEqual({
      kind: 'memory',
      runId: null,
      learnings: [{ metric: 'faithfulness_lexical', learningId: 'a'.repeat(32), version: 3, runId: 'run-3' }],
    });
  });

  it('without a learning of the metric, marks the rule noBaseline and follows the missing-baseline policy', () => {
    const failed = judge(['mean(faithfulness_lexical) >= baseline'], [0.9], memory({}), 'fail');
    const passed = judge(['mean(faithfulness_lexical) >= baseline'], [0.9], memory({}), 'pass');
    expect(failed.rules[0]).toMatchObject({ noBaseline: true, baselineValue: null, passed: false });
    expect(passed.rules[0]).toMatchObject({ noBaseline: true, baselineValue: null, passed: true });
    expect(failed.baselineSource).toEqual({ kind: 'memory', runId: null, learnings: [] });
  });

  it('names no source when no rule refers to the baseline', () => {
    expect(judge(['mean(faithfulness_lexical) >= 0.5'], [0.9], memory(), 'fail').baselineSource).toBeNull();
  });
});

describe('learnedBaselineIssues: rules a learned baseline cannot judge', () => {
  const issues = (rules: string[]) => learnedBaselineIssues(parseGateRules(rules));

  it('accepts mean, p10, p50, p90, pass_rate at 0.5 and any fixed threshold', () => {
    expect(
      issues([
        'mean(f) >= baseline - 0.05',
        'p10(f) >= baseline',
        'p50(f) > baseline',
        'p90(f) >= baseline + 0.01',
        'pass_rate(f, 0.5) >= baseline',
        'pass_rate(f, .50) >= baseline',
        'min(f) >= 0.2',
        'pass_rate(f, 0.7) >= 0.9',
      ]),
    ).toEqual([]);
  });

  it('refuses min and max against the baseline, naming the rule and the aggregate’s column', () => {
    expect(issues(['mean(f) >= 0.5', '  min(f) >= baseline'])).toEqual([
      expect.objectContaining({
        index: 1,
        rule: '  min(f) >= baseline',
        column: 3,
        found: "'min'",
        message: expect.stringMatching(/^column 3: memory's learned baseline has no min/),
      }),
    ]);
  });

  it('refuses pass_rate at another threshold, pointing at the threshold', () => {
    // p a s s _ r a t e ( f ,   0 . 7: the threshold starts at column 14.
    expect(issues(['pass_rate(f, 0.7) >= baseline'])).toEqual([
      expect.objectContaining({ index: 0, column: 14, found: "'0.7'", expected: '0.5' }),
    ]);
  });
});

describe('a verdict against memory in the contract', () => {
  it('travels in a GatePassed event as it is (baselineSource with the learning and its version)', () => {
    const verdict = judge(['mean(faithfulness_lexical) >= baseline - 0.05'], [0.9], memory(), 'fail');
    const event = testEvent('GatePassed', {
      gateId: 'a'.repeat(64),
      subject: {
        runId: 'run-4',
        dataset: { id: 'inline-1', name: 'qa', version: null, contentHash: 'b'.repeat(64) },
        prompt: null,
        modelProfile: null,
        configHash: 'c'.repeat(64),
      },
      rules: verdict.rules,
      baselineRunId: verdict.baselineRunId,
      baselineSource: verdict.baselineSource,
    });
    const codec = new EventCodec();
    const decoded = codec.decode(codec.encode(event));
    expect(decoded.type === 'GatePassed' && decoded.payload.baselineSource).toEqual(verdict.baselineSource);
    expect(decoded.type === 'GatePassed' && decoded.payload.rules[0]).toMatchObject({ baselineValue: 0.8 });
  });
});
