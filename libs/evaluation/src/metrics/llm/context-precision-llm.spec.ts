import type { JudgeRequest } from '../../model/llm-judge.port.js';
import { testCase } from '../testing/fixtures.js';
import { ScriptedJudge } from '../testing/scripted-judge.js';
import { contextPrecisionLlmMetric } from './context-precision-llm.js';

const CONTEXTS = ['Lyon is a city in France.', 'Paris is the capital of France.', 'France’s capital hosts the Louvre.'];
const CASE = testCase({ id: 'p1', groundTruth: 'Paris is the capital of France.', contexts: CONTEXTS });

/** Useful unless the context is about Lyon: verdicts [0, 1, 1]. */
function verdictByContext(request: JudgeRequest): Record<string, unknown> {
  return { reason: 'checked', verdict: request.prompt.includes('Lyon') ? 0 : 1 };
}

describe('context_precision_llm', () => {
  it('asks once per context and scores the rank-weighted precision', async () => {
    const judge = new ScriptedJudge({ 'context_precision.verdict': verdictByContext });
    const result = await contextPrecisionLlmMetric.score(CASE, { judge });
    // relevant at ranks 2 and 3: (1/2 + 2/3) / 2 = 0.5833
    expect(result.score).toBeCloseTo(0.5833333333, 9);
    expect(result.explanation).toBe(
      'Context precision 0.58: relevant at ranks 2, 3 of 3 (useful for the ground truth, per the judge)',
    );
    const prompts = judge.promptsFor('context_precision.verdict');
    expect(prompts).toHaveLength(3);
    prompts.forEach((prompt, index) => {
      expect(prompt).toContain(CONTEXTS[index]);
      expect(prompt).toContain('Ground truth: Paris is the capital of France.');
      expect(prompt).toContain(CASE.question);
    });
  });

  it('judges against the answer when there is no ground truth', async () => {
    const judge = new ScriptedJudge({ 'context_precision.verdict': { verdict: 1 } });
    const result = await contextPrecisionLlmMetric.score({ ...CASE, groundTruth: null, answer: 'Paris.' }, { judge });
    expect(result.score).toBe(1);
    expect(result.explanation).toContain('useful for the answer');
    expect(judge.promptsFor('context_precision.verdict')[0]).toContain('Answer: Paris.');
  });

  it('scores 0 when no context is useful', async () => {
    const judge = new ScriptedJudge({ 'context_precision.verdict': { verdict: 0 } });
    expect((await contextPrecisionLlmMetric.score(CASE, { judge })).score).toBe(0);
  });

  it('rejects a verdict it cannot read as JUDGE_BAD_OUTPUT', async () => {
    const judge = new ScriptedJudge({
      'context_precision.verdict': [{ verdict: 1 }, { reason: 'forgot the verdict' }],
    });
    await expect(contextPrecisionLlmMetric.score(CASE, { judge })).rejects.toMatchObject({
      code: 'JUDGE_BAD_OUTPUT',
      details: { caseId: 'p1', purpose: 'context_precision.verdict' },
    });
  });
});
