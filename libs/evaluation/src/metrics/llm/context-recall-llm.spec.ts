import { testCase } from '../testing/fixtures.js';
import { ScriptedJudge } from '../testing/scripted-judge.js';
import { contextRecallLlmMetric } from './context-recall-llm.js';

const CASE = testCase({
  id: 'r1',
  groundTruth: 'Paris is the capital of France. It has 2 million inhabitants. It hosts the Louvre.',
  contexts: ['Paris is the capital of France.', 'The Louvre is in Paris.'],
});

describe('context_recall_llm', () => {
  it('scores the share of ground-truth sentences attributed to the contexts', async () => {
    const judge = new ScriptedJudge({
      'context_recall.attributions': {
        attributions: [
          { sentence: 1, attributed: 1 },
          { sentence: 2, attributed: 0 },
          { sentence: 3, attributed: 'yes' },
        ],
      },
    });
    const result = await contextRecallLlmMetric.score(CASE, { judge });
    // 2 of 3 sentences attributed
    expect(result.score).toBeCloseTo(2 / 3, 10);
    expect(result.explanation).toBe(
      'Context recall 0.67: 2 of 3 ground-truth sentences attributed to the contexts; ' +
        'not attributed: "It has 2 million inhabitants."',
    );
  });

  it('numbers the ground-truth sentences and shows the contexts', async () => {
    const judge = new ScriptedJudge({
      'context_recall.attributions': { attributions: [{ attributed: 1 }, { attributed: 1 }, { attributed: 1 }] },
    });
    expect((await contextRecallLlmMetric.score(CASE, { judge })).score).toBe(1);
    const prompt = judge.promptsFor('context_recall.attributions')[0] ?? '';
    expect(prompt).toContain(
      '1. Paris is the capital of France.\n2. It has 2 million inhabitants.\n3. It hosts the Louvre.',
    );
    for (const context of CASE.contexts) expect(prompt).toContain(context);
  });

  it('rejects a list that does not match the sentences as JUDGE_BAD_OUTPUT', async () => {
    const judge = new ScriptedJudge({ 'context_recall.attributions': { attributions: [{ attributed: 1 }] } });
    await expect(contextRecallLlmMetric.score(CASE, { judge })).rejects.toThrow(
      /"attributions" has 1 entries, expected 3/,
    );
  });

  it('needs a non-blank ground truth, and fails before calling the judge', async () => {
    const judge = new ScriptedJudge({});
    await expect(contextRecallLlmMetric.score({ ...CASE, groundTruth: ' ' }, { judge })).rejects.toMatchObject({
      code: 'MISSING_GROUND_TRUTH',
    });
    expect(judge.requests).toHaveLength(0);
  });
});
