import { testCase } from '../testing/fixtures.js';
import { ScriptedJudge } from '../testing/scripted-judge.js';
import { rubricMetric } from './rubric.js';

const RUBRIC = '5: correct and cites a source. 3: correct without source. 1: wrong.';
const CASE = testCase({
  id: 'rb1',
  question: 'Capital of France?',
  answer: 'Paris, per the atlas.',
  groundTruth: 'Paris',
  contexts: ['Atlas: Paris.'],
});

describe('rubric', () => {
  it.each([
    [1, 0],
    [3, 0.5],
    [4, 0.75],
    [5, 1],
  ])('maps judge score %i to %d', async (judgeScore, expected) => {
    const judge = new ScriptedJudge({ 'rubric.score': { score: judgeScore, reason: 'Cites the atlas.' } });
    const result = await rubricMetric.score(CASE, { judge }, { rubric: RUBRIC });
    expect(result).toEqual({ score: expected, explanation: `Rubric ${judgeScore} of 5: Cites the atlas.` });
  });

  it('shows the judge the rubric, the answer, and the ground truth and contexts when present', async () => {
    const judge = new ScriptedJudge({ 'rubric.score': { score: '4' } });
    expect((await rubricMetric.score(CASE, { judge }, { rubric: RUBRIC })).score).toBe(0.75);
    const prompt = judge.promptsFor('rubric.score')[0] ?? '';
    for (const part of [RUBRIC, CASE.question, CASE.answer, 'Ground truth: Paris', 'Atlas: Paris.'])
      expect(prompt).toContain(part);
  });

  it('leaves out the ground truth and contexts when the case has none', async () => {
    const judge = new ScriptedJudge({ 'rubric.score': { score: 2 } });
    await rubricMetric.score({ ...CASE, groundTruth: null, contexts: [] }, { judge }, { rubric: RUBRIC });
    expect(judge.promptsFor('rubric.score')[0]).not.toMatch(/Ground truth|Contexts/);
  });

  it.each([{ score: 6 }, { score: 0 }, { score: 3.5 }, { score: 'four' }, { reason: 'no score' }])(
    'rejects %j as JUDGE_BAD_OUTPUT',
    async (answer) => {
      const judge = new ScriptedJudge({ 'rubric.score': answer });
      await expect(rubricMetric.score(CASE, { judge }, { rubric: RUBRIC })).rejects.toMatchObject({
        code: 'JUDGE_BAD_OUTPUT',
        details: { purpose: 'rubric.score' },
      });
    },
  );

  it('needs a rubric in its options', async () => {
    const judge = new ScriptedJudge({});
    await expect(rubricMetric.score(CASE, { judge })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      metric: 'rubric',
    });
    await expect(rubricMetric.score(CASE, { judge }, { rubric: '  ' })).rejects.toThrow(
      /option "rubric" must be a non-empty string/,
    );
  });
});
