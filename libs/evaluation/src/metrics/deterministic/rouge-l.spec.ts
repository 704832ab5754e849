import { testCase } from '../testing/fixtures.js';
import { longestCommonSubsequence, rougeL, rougeLMetric, rougeLStemmedMetric } from './rouge-l.js';

// Worked by hand; reference-scores.spec.ts checks the same function against rouge-score itself.
describe('rouge_l', () => {
  it('finds the longest common subsequence (CLRS: ABCBDAB vs BDCABA → 4)', () => {
    expect(longestCommonSubsequence([...'ABCBDAB'], [...'BDCABA'])).toBe(4);
    expect(longestCommonSubsequence([], ['a'])).toBe(0);
  });

  it('scores in-order overlap over every word, articles included (no SQuAD normalisation)', async () => {
    // [police, kill, the, gunman] vs [police, killed, the, gunman]: LCS = 3 (police … the gunman); P = R = 3/4
    const result = await rougeLMetric.score(
      testCase({ answer: 'police kill the gunman', groundTruth: 'police killed the gunman' }),
    );
    expect(result.score).toBeCloseTo(0.75, 12);
    expect(result.explanation).toBe(
      'ROUGE-L 0.75: longest common subsequence of 3 tokens ' +
        '(precision 0.75 of 4 answer tokens, recall 0.75 of 4 ground-truth tokens)',
    );
  });

  it('matches inflected forms when stemming (rouge_l_stemmed: kill = killed)', async () => {
    const result = await rougeLStemmedMetric.score(
      testCase({ answer: 'police kill the gunman', groundTruth: 'police killed the gunman' }),
    );
    expect(result.score).toBe(1);
  });

  it('penalises the same words in another order, unlike token F1', () => {
    // [the, gunman, killed, police] vs [police, killed, the, gunman]: LCS = 2 (the gunman); P = R = 1/2
    expect(rougeL('the gunman killed police', 'police killed the gunman').f).toBeCloseTo(0.5, 12);
  });

  it('combines precision and recall with beta = 1', () => {
    // [cats, eat, fresh, fish] vs [cats, fish]: LCS = 2; P = 2/4, R = 2/2; F = 2·0.5·1 / 1.5 = 2/3
    const result = rougeL('Cats eat fresh fish', 'cats, fish');
    expect(result).toMatchObject({ lcs: 2, precision: 0.5, recall: 1 });
    expect(result.f).toBeCloseTo(2 / 3, 12);
  });

  it('tokenises as rouge-score: non-alphanumerics split words, letters beyond a-z are dropped', () => {
    // [state, of, the, art] both sides; "café" is [caf], "Zürich" is [z, rich]
    expect(rougeL('state-of-the-art', 'State of the art').f).toBe(1);
    expect(rougeL('café', 'caf').f).toBe(1);
    expect(rougeL('Zürich', 'z rich').f).toBe(1);
  });

  it('scores identical texts 1 and texts with no shared token 0', () => {
    expect(rougeL('The cat sat.', 'the CAT sat').f).toBe(1);
    expect(rougeL('dogs bark', 'cats meow').f).toBe(0);
  });

  it('scores 0 when either side has no token, both empty included, as rouge-score does', async () => {
    expect(rougeL('', '').f).toBe(0);
    const result = await rougeLMetric.score(testCase({ answer: '', groundTruth: 'Paris' }));
    expect(result).toEqual({
      score: 0,
      explanation: 'ROUGE-L 0.00: the answer has no alphanumeric tokens (rouge-score scores an empty side 0)',
    });
  });
});
