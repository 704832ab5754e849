import { testCase } from '../testing/fixtures.js';
import { tokenF1, tokenF1Metric } from './token-f1.js';

describe('token_f1', () => {
  it('explains precision and recall', async () => {
    // [paris, is, lovely] vs [paris, is, big]: 2 common; P = 2/3, R = 2/3, F1 = 2/3
    const result = await tokenF1Metric.score(testCase({ answer: 'Paris is lovely', groundTruth: 'Paris is big' }));
    expect(result.score).toBeCloseTo(2 / 3, 10);
    expect(result.explanation).toBe(
      'F1 0.67: 2 of 3 answer tokens in ground truth (precision 0.67, recall 0.67 of 3 ground-truth tokens)',
    );
  });

  it('weighs precision and recall separately', () => {
    // [cat, sat] vs [cat, sat, on, mat] (articles dropped): P = 2/2 = 1, R = 2/4 = 0.5, F1 = 2·1·0.5 / 1.5 = 2/3
    const result = tokenF1('the cat sat', 'a cat sat on the mat');
    expect(result).toMatchObject({ precision: 1, recall: 0.5, common: 2, answerTokens: 2, groundTruthTokens: 4 });
    expect(result.f1).toBeCloseTo(2 / 3, 10);
  });

  it('counts a repeated token only as often as the ground truth has it', () => {
    // [paris×3] vs [paris]: common = min(3, 1) = 1; P = 1/3, R = 1, F1 = (2/3) / (4/3) = 0.5
    expect(tokenF1('paris paris paris', 'paris').f1).toBeCloseTo(0.5, 10);
  });

  it('ignores case and punctuation, and scores identical answers 1', () => {
    expect(tokenF1('PARIS!!', 'paris').f1).toBe(1);
    expect(tokenF1('Paris, France', 'Paris, France').f1).toBe(1);
  });

  it('scores 0 when no token is shared', async () => {
    const result = await tokenF1Metric.score(testCase({ answer: 'London', groundTruth: 'Paris' }));
    expect(result).toEqual({
      score: 0,
      explanation:
        'F1 0.00: 0 of 1 answer tokens in ground truth (precision 0.00, recall 0.00 of 1 ground-truth tokens)',
    });
  });

  it('follows SQuAD 2.0 for empty sides: both empty 1, one empty 0', async () => {
    expect(tokenF1('', '').f1).toBe(1);
    expect(tokenF1('the', '?').f1).toBe(1);
    const emptyAnswer = await tokenF1Metric.score(testCase({ answer: '?!', groundTruth: 'Paris' }));
    expect(emptyAnswer).toEqual({
      score: 0,
      explanation: 'F1 0.00: the answer is empty after normalisation; the ground truth has 1 tokens',
    });
  });

  it('rejects a case without ground truth', async () => {
    await expect(tokenF1Metric.score(testCase({ id: 'c9', groundTruth: null }))).rejects.toMatchObject({
      code: 'MISSING_GROUND_TRUTH',
      metric: 'token_f1',
    });
  });
});
