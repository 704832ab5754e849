import { testCase } from '../testing/fixtures.js';
import { ScriptedJudge } from '../testing/scripted-judge.js';
import { factualCorrectnessMetric, factualScores } from './factual-correctness.js';

const CASE = testCase({
  id: 'fc1',
  answer: 'Einstein was a German physicist. He developed relativity in 1920.',
  groundTruth:
    'Einstein was a German-born theoretical physicist. ' +
    'He developed relativity in 1905 and worked on quantum mechanics.',
});

// Answer claims vs ground truth: [1, 1, 0] → tp 2, fp 1.
// Ground-truth claims vs answer: [1, 0, 0, 1] → fn 2.
const SCRIPT = {
  'factual_correctness.answer_claims': {
    claims: ['Einstein was German.', 'Einstein was a physicist.', 'Einstein developed relativity in 1920.'],
  },
  'factual_correctness.answer_verdicts': { verdicts: [{ verdict: 1 }, { verdict: 1 }, { verdict: 0 }] },
  'factual_correctness.ground_truth_claims': {
    claims: [
      'Einstein was German-born.',
      'Einstein was a theoretical physicist.',
      'Einstein developed relativity in 1905.',
      'Einstein was a physicist.',
    ],
  },
  'factual_correctness.ground_truth_verdicts': {
    verdicts: [{ verdict: 1 }, { verdict: 0 }, { verdict: 0 }, { verdict: 1 }],
  },
};

describe('factual_correctness', () => {
  it('scores claim F1 by default', async () => {
    // precision = 2 / (2 + 1) = 2/3; recall = 2 / (2 + 2) = 1/2; F1 = 2·(2/3)·(1/2) / (2/3 + 1/2) = 4/7 = 0.5714
    const judge = new ScriptedJudge(SCRIPT);
    const result = await factualCorrectnessMetric.score(CASE, { judge });
    expect(result.score).toBeCloseTo(4 / 7, 10);
    expect(result.explanation).toBe(
      'Factual F1 0.57: 2 of 3 answer claims supported by the ground truth, ' +
        '2 ground-truth claims missing from the answer (precision 0.67, recall 0.50)',
    );
  });

  it('verifies answer claims against the ground truth and ground-truth claims against the answer', async () => {
    const judge = new ScriptedJudge(SCRIPT);
    await factualCorrectnessMetric.score(CASE, { judge });
    expect(judge.purposes()).toEqual([
      'factual_correctness.answer_claims',
      'factual_correctness.answer_verdicts',
      'factual_correctness.ground_truth_claims',
      'factual_correctness.ground_truth_verdicts',
    ]);
    const [answerClaims, answerVerdicts, groundTruthClaims, groundTruthVerdicts] = judge.requests.map(
      (request) => request.prompt,
    );
    expect(answerClaims).toContain(CASE.answer);
    expect(answerVerdicts).toContain(CASE.groundTruth);
    expect(answerVerdicts).toContain('3. Einstein developed relativity in 1920.');
    expect(groundTruthClaims).toContain(CASE.groundTruth);
    expect(groundTruthVerdicts).toContain(CASE.answer);
  });

  it('scores precision alone with two calls, and recall on request', async () => {
    const precisionJudge = new ScriptedJudge(SCRIPT);
    expect(
      (await factualCorrectnessMetric.score(CASE, { judge: precisionJudge }, { mode: 'precision' })).score,
    ).toBeCloseTo(2 / 3, 10);
    expect(precisionJudge.requests).toHaveLength(2);
    expect(
      (await factualCorrectnessMetric.score(CASE, { judge: new ScriptedJudge(SCRIPT) }, { mode: 'recall' })).score,
    ).toBe(0.5);
  });

  it('gives 0, not NaN, when there is nothing to count', () => {
    expect(factualScores({ truePositives: 0, falsePositives: 0, falseNegatives: 0 })).toEqual({
      f1: 0,
      precision: 0,
      recall: 0,
    });
    expect(factualScores({ truePositives: 3, falsePositives: 0, falseNegatives: 0 })).toEqual({
      f1: 1,
      precision: 1,
      recall: 1,
    });
  });

  it('rejects an unknown mode before calling the judge', async () => {
    const judge = new ScriptedJudge(SCRIPT);
    await expect(factualCorrectnessMetric.score(CASE, { judge }, { mode: 'f2' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    expect(judge.requests).toHaveLength(0);
  });

  it('rejects malformed claims as JUDGE_BAD_OUTPUT', async () => {
    const judge = new ScriptedJudge({
      ...SCRIPT,
      'factual_correctness.ground_truth_claims': '{"claims": "Einstein was German-born."}',
    });
    await expect(factualCorrectnessMetric.score(CASE, { judge })).rejects.toMatchObject({
      code: 'JUDGE_BAD_OUTPUT',
      details: { purpose: 'factual_correctness.ground_truth_claims' },
    });
  });
});
