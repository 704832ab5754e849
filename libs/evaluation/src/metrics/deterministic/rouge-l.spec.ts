import { testCase } from '../testing/fixtures.js';
import { longestCommonSubsequence, rougeL, rougeLMetric } from './rouge-l.js';

describe('rouge_l', () => {
  it('finds the longest common subsequence (CLRS: ABCBDAB vs BDCABA → 4)', () => {
    expect(longestCommonSubsequence([...'ABCBDAB'], [...'BDCABA'])).toBe(4);
    expect(longestCommonSubsequence([], ['a'])).toBe(0);
  });

  it('scores in-order overlap', async () => {
    // [police, kill, gunman] vs [police, killed, gunman]: LCS = 2 (police … gunman); P = R = 2/3, F = 2/3
    const result = await rougeLMetric.score(
      testCase({ answer: 'police kill the gunman', groundTruth: 'police killed the gunman' }),
    );
    expect(result.score).toBeCloseTo(2 / 3, 10);
    expect(result.explanation).toBe(
      'ROUGE-L 0.67: longest common subsequence of 2 tokens (precision 0.67 of 3 answer tokens, recall 0.67 of 3 ground-truth tokens)',
    );
  });

  it('penalises the same words in another order, unlike token F1', () => {
    // [gunman, killed, police] vs [police, killed, gunman]: LCS = 1; P = R = 1/3, F = 1/3
    expect(rougeL('the gunman killed police', 'police killed the gunman').f).toBeCloseTo(1 / 3, 10);
  });

  it('combines precision and recall with beta = 1', () => {
    // [cats, eat, fresh, fish] vs [cats, fish]: LCS = 2; P = 2/4, R = 2/2; F = 2·0.5·1 / 1.5 = 2/3
    const result = rougeL('Cats eat fresh fish', 'cats, fish');
    expect(result).toMatchObject({ lcs: 2, precision: 0.5, recall: 1 });
    expect(result.f).toBeCloseTo(2 / 3, 10);
  });

  it('scores identical texts 1 and texts with no shared token 0', () => {
    expect(rougeL('The cat sat.', 'the CAT sat').f).toBe(1);
    expect(rougeL('dogs bark', 'cats meow').f).toBe(0);
  });

  it('scores two empty texts 1 and one empty text 0', async () => {
    expect(rougeL('', '').f).toBe(1);
    const result = await rougeLMetric.score(testCase({ answer: '', groundTruth: 'Paris' }));
    expect(result).toEqual({ score: 0, explanation: 'ROUGE-L 0.00: the answer is empty after normalisation' });
  });
});
