import { testCase } from '../testing/fixtures.js';
import { faithfulnessLexicalMetric, lexicalSentenceSupport } from './faithfulness-lexical.js';

// Content vocabulary: [eiffel, tower, paris, completed, 1889]
const CONTEXTS = ['The Eiffel Tower is in Paris. It was completed in 1889.'];

describe('faithfulness_lexical', () => {
  it('scores the share of answer sentences whose content words are in the contexts', async () => {
    // 1: [eiffel, tower, paris] 3/3 → supported
    // 2: [built, 1889, gustave, eiffel] 2/4 = 0.5 < 0.6 → unsupported
    // 3: [painted, bright, blue] 0/3 → unsupported; score 1/3
    const answer = 'The Eiffel Tower is in Paris. It was built in 1889 by Gustave Eiffel. It is painted bright blue.';
    const result = await faithfulnessLexicalMetric.score(testCase({ answer, contexts: CONTEXTS }));
    expect(result.score).toBeCloseTo(1 / 3, 10);
    expect(result.explanation).toBe(
      'Faithfulness 0.33: 1 of 3 answer sentences supported by the contexts; ' +
        'unsupported: "It was built in 1889 by Gustave Eiffel.", "It is painted bright blue."',
    );
  });

  it('supports a sentence at exactly 0.6 coverage', () => {
    // [eiffel, tower, paris, green, gardens]: 3/5 = 0.6
    expect(lexicalSentenceSupport('Eiffel Tower Paris green gardens.', CONTEXTS)[0]).toMatchObject({
      coverage: 0.6,
      supported: true,
    });
  });

  it('ignores case and punctuation', async () => {
    expect(
      (await faithfulnessLexicalMetric.score(testCase({ answer: 'EIFFEL TOWER, PARIS!', contexts: CONTEXTS }))).score,
    ).toBe(1);
  });

  it('scores 0 when no sentence is supported', async () => {
    expect(
      (await faithfulnessLexicalMetric.score(testCase({ answer: 'Bananas are yellow.', contexts: CONTEXTS }))).score,
    ).toBe(0);
  });

  it('scores an empty answer 1: it asserts nothing the contexts could contradict', async () => {
    const expected = { score: 1, explanation: 'Faithfulness 1.00: empty answer, nothing to contradict the contexts' };
    expect(await faithfulnessLexicalMetric.score(testCase({ answer: '', contexts: CONTEXTS }))).toEqual(expected);
    expect(await faithfulnessLexicalMetric.score(testCase({ answer: '...', contexts: CONTEXTS }))).toEqual(expected);
  });

  it('needs contexts', async () => {
    await expect(faithfulnessLexicalMetric.score(testCase({ contexts: [] }))).rejects.toMatchObject({
      code: 'MISSING_CONTEXTS',
      metric: 'faithfulness_lexical',
    });
  });
});
