import { testCase, TINY_VECTORS } from '../testing/fixtures.js';
import { ScriptedJudge } from '../testing/scripted-judge.js';
import { answerRelevancyLlmMetric } from './answer-relevancy-llm.js';

// TINY_VECTORS: cat [1, 0], kitten [0.8, 0.6], car [0, 1]; the question's content word is [kitten].
const CASE = testCase({ id: 'r1', question: 'What is a kitten?', answer: 'A kitten is a young cat.' });

function judgeAnswering(answer: Record<string, unknown> | string): ScriptedJudge {
  return new ScriptedJudge({ 'answer_relevancy.questions': answer });
}

describe('answer_relevancy_llm', () => {
  it('averages the similarity of the generated questions to the real one', async () => {
    // [cat]·[kitten] = 0.8; [kitten]·[kitten] = 1; [car]·[kitten] = 0.6; mean = 2.4 / 3 = 0.8
    const judge = judgeAnswering({
      questions: ['What is a cat?', 'What is a kitten?', 'Which car is it?'],
      noncommittal: 0,
    });
    const result = await answerRelevancyLlmMetric.score(CASE, { judge, wordVectors: TINY_VECTORS });
    expect(result.score).toBeCloseTo(0.8, 10);
    expect(result.explanation).toBe(
      'Relevancy 0.80: mean similarity to the question of 3 questions generated from the answer ' +
        '("What is a cat?" 0.80, "What is a kitten?" 1.00, "Which car is it?" 0.60); ' +
        'question: 1 of 1 words have vectors',
    );
  });

  it('shows the judge the answer but not the question, in one call for all three questions', async () => {
    const judge = judgeAnswering({ questions: ['What is a kitten?'], noncommittal: 0 });
    await answerRelevancyLlmMetric.score(CASE, { judge, wordVectors: TINY_VECTORS });
    expect(judge.requests).toHaveLength(1);
    const prompt = judge.requests[0]?.prompt ?? '';
    expect(prompt).toContain(CASE.answer);
    expect(prompt).toContain('Write 3 different questions');
    expect(prompt).not.toContain(CASE.question);
  });

  it('scores a noncommittal answer 0', async () => {
    const judge = judgeAnswering({ questions: ['What is a kitten?'], noncommittal: true });
    const result = await answerRelevancyLlmMetric.score(
      { ...CASE, answer: "I'm not sure." },
      { judge, wordVectors: TINY_VECTORS },
    );
    expect(result).toEqual({
      score: 0,
      explanation: 'Relevancy 0.00: the judge found the answer noncommittal (evasive, vague or declining)',
    });
  });

  it('uses at most three questions', async () => {
    // first three: 0.8, 1, 0.6 → 0.8; the fourth ([bank], cosine -1) is ignored
    const judge = judgeAnswering({ questions: ['A cat?', 'A kitten?', 'A car?', 'A bank?'], noncommittal: 0 });
    expect((await answerRelevancyLlmMetric.score(CASE, { judge, wordVectors: TINY_VECTORS })).score).toBeCloseTo(
      0.8,
      10,
    );
  });

  it.each<[Record<string, unknown> | string, RegExp]>([
    [{ questions: [], noncommittal: 0 }, /"questions" is empty/],
    [{ questions: ['What is a cat?'] }, /"noncommittal" is missing/],
    [{ question: 'What is a cat?', noncommittal: 0 }, /"questions" is not a list of strings/],
    ['What is a cat?', /not a JSON object/],
  ])('rejects %j as JUDGE_BAD_OUTPUT', async (answer, message) => {
    const failure = answerRelevancyLlmMetric.score(CASE, { judge: judgeAnswering(answer), wordVectors: TINY_VECTORS });
    await expect(failure).rejects.toMatchObject({
      code: 'JUDGE_BAD_OUTPUT',
      metric: 'answer_relevancy_llm',
      details: { purpose: 'answer_relevancy.questions' },
    });
    await expect(failure).rejects.toThrow(message);
  });
});
