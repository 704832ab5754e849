import { testCase } from '../testing/fixtures.js';
import { type ScriptedAnswer, ScriptedJudge } from '../testing/scripted-judge.js';
import { faithfulnessMetric } from './faithfulness.js';

const CASE = testCase({
  id: 'f1',
  question: 'Tell me about Paris.',
  answer: 'Paris is the capital of France. It has 10 million inhabitants and the Louvre.',
  contexts: ['Paris is the capital and largest city of France.', 'The Louvre, in Paris, is the most-visited museum.'],
});
const CLAIMS = {
  claims: ['Paris is the capital of France.', 'Paris has 10 million inhabitants.', 'The Louvre is in Paris.'],
};

describe('faithfulness (LLM)', () => {
  it('extracts claims, verifies them against the contexts and scores supported / total', async () => {
    const judge = new ScriptedJudge({
      'faithfulness.claims': CLAIMS,
      'faithfulness.verdicts': {
        verdicts: [
          { claim: 1, reason: 'stated', verdict: 1 },
          { claim: 2, reason: 'no population given', verdict: 0 },
          { claim: 3, reason: 'stated', verdict: '1' },
        ],
      },
    });
    const result = await faithfulnessMetric.score(CASE, { judge });
    // 2 of 3 claims supported
    expect(result.score).toBeCloseTo(2 / 3, 10);
    expect(result.explanation).toBe(
      'Faithfulness 0.67: 2 of 3 claims supported by the contexts; unsupported: "Paris has 10 million inhabitants."',
    );
    expect(judge.purposes()).toEqual(['faithfulness.claims', 'faithfulness.verdicts']);
    expect(judge.requests.every((request) => request.json)).toBe(true);
  });

  it('shows the judge the answer, then the contexts and every claim', async () => {
    const judge = new ScriptedJudge({
      'faithfulness.claims': CLAIMS,
      'faithfulness.verdicts': { verdicts: [{ verdict: 1 }, { verdict: 1 }, { verdict: 1 }] },
    });
    expect((await faithfulnessMetric.score(CASE, { judge })).score).toBe(1);
    const [claimsPrompt, verdictsPrompt] = judge.requests.map((request) => request.prompt);
    expect(claimsPrompt).toContain(CASE.answer);
    expect(claimsPrompt).toContain(CASE.question);
    for (const context of CASE.contexts) expect(verdictsPrompt).toContain(context);
    expect(verdictsPrompt).toContain('2. Paris has 10 million inhabitants.');
  });

  it('scores an answer without claims 1 and skips the verdict call (Ragas would give NaN)', async () => {
    const judge = new ScriptedJudge({ 'faithfulness.claims': { claims: [] } });
    const result = await faithfulnessMetric.score({ ...CASE, answer: "I don't know." }, { judge });
    expect(result).toEqual({
      score: 1,
      explanation: 'Faithfulness 1.00: the answer makes no factual claim, so nothing in it is unsupported',
    });
    expect(judge.purposes()).toEqual(['faithfulness.claims']);
  });

  it('accepts JSON in a code fence', async () => {
    const judge = new ScriptedJudge({
      'faithfulness.claims': '```json\n{"claims": ["Paris is the capital of France."]}\n```',
      'faithfulness.verdicts': '{"verdicts": [{"verdict": "no"}]}',
    });
    expect((await faithfulnessMetric.score(CASE, { judge })).score).toBe(0);
  });

  it.each<{ label: string; purpose: string; answer: ScriptedAnswer; message: RegExp }>([
    {
      label: 'prose instead of JSON',
      purpose: 'faithfulness.claims',
      answer: 'Sure! Paris is the capital.',
      message: /not a JSON object/,
    },
    {
      label: 'claims that are not strings',
      purpose: 'faithfulness.claims',
      answer: { claims: [1, 2] },
      message: /"claims" is not a list of strings/,
    },
    {
      label: 'a missing claims field',
      purpose: 'faithfulness.claims',
      answer: { statements: ['x'] },
      message: /"claims" is not a list of strings/,
    },
    {
      label: 'too few verdicts',
      purpose: 'faithfulness.verdicts',
      answer: { verdicts: [{ verdict: 1 }] },
      message: /"verdicts" has 1 entries, expected 3/,
    },
    {
      label: 'an unreadable verdict',
      purpose: 'faithfulness.verdicts',
      answer: { verdicts: [{ verdict: 1 }, { verdict: 'maybe' }, { verdict: 1 }] },
      message: /"verdict" is "maybe", expected 1 or 0/,
    },
  ])('rejects $label as JUDGE_BAD_OUTPUT', async ({ purpose, answer, message }) => {
    const judge = new ScriptedJudge({
      'faithfulness.claims': CLAIMS,
      'faithfulness.verdicts': { verdicts: [] },
      [purpose]: answer,
    });
    const failure = faithfulnessMetric.score(CASE, { judge });
    await expect(failure).rejects.toMatchObject({
      code: 'JUDGE_BAD_OUTPUT',
      metric: 'faithfulness',
      details: { caseId: 'f1', purpose },
    });
    await expect(failure).rejects.toThrow(message);
  });

  it('needs contexts and a judge', async () => {
    await expect(
      faithfulnessMetric.score({ ...CASE, contexts: [] }, { judge: new ScriptedJudge({}) }),
    ).rejects.toMatchObject({ code: 'MISSING_CONTEXTS' });
    await expect(faithfulnessMetric.score(CASE, {})).rejects.toMatchObject({
      code: 'MISSING_JUDGE',
      metric: 'faithfulness',
    });
  });
});
