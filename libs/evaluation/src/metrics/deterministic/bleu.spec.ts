import { testCase } from '../testing/fixtures.js';
import { bleu, bleuMetric } from './bleu.js';

// Worked by hand; reference-scores.spec.ts checks the same function against NLTK itself.
describe('bleu', () => {
  it('scores an identical answer 1', () => {
    // [cat, sat, on, mat]: p1 = 4/4, p2 = (3+1)/(3+1), p3 = (2+1)/(2+1), p4 = (1+1)/(1+1); BP = 1
    expect(bleu('The cat sat on the mat.', 'the cat sat on the mat').bleu).toBe(1);
  });

  it('combines smoothed n-gram precisions and the brevity penalty', async () => {
    // answer [cat, sat, on, mat], ground truth [cat, sat, on, red, mat]
    // p1 = 4/4 = 1
    // p2: "cat sat", "sat on" match, "on mat" not → (2+1)/(3+1) = 3/4
    // p3: "cat sat on" matches, "sat on mat" not → (1+1)/(2+1) = 2/3
    // p4: "cat sat on mat" not → (0+1)/(1+1) = 1/2
    // geometric mean = (1 · 3/4 · 2/3 · 1/2)^(1/4) = 0.25^(1/4) = 0.70711
    // BP = exp(1 - 5/4) = 0.77880; BLEU = 0.55070
    const result = await bleuMetric.score(
      testCase({ answer: 'the cat sat on the mat', groundTruth: 'the cat sat on the red mat' }),
    );
    expect(result.score).toBeCloseTo(0.5506953149, 8);
    expect(result.explanation).toBe(
      'BLEU 0.55: p1 1.00, p2 0.75, p3 0.67, p4 0.50; brevity penalty 0.78 (4 answer vs 5 ground-truth tokens)',
    );
  });

  it('has no brevity penalty for a longer answer', () => {
    // [cat, sat, on, red, mat, today] vs [cat, sat, on, red, mat]
    // p1 = 5/6; p2 = (4+1)/(5+1) = 5/6; p3 = (3+1)/(4+1) = 4/5; p4 = (2+1)/(3+1) = 3/4
    // product = 5/12; BLEU = (5/12)^(1/4) = 0.80343
    const result = bleu('cat sat on red mat today', 'cat sat on red mat');
    expect(result.brevityPenalty).toBe(1);
    expect(result.bleu).toBeCloseTo(0.8034284189, 8);
  });

  it('counts an order longer than the answer as one n-gram, as NLTK does', () => {
    // [cat] vs [cat, sat]: p1 = 1; p2..p4 have no n-gram: (0+1)/(max(1, 0)+1) = 1/2 each
    // (1/8)^(1/4) = 0.59460; BP = exp(1 - 2/1) = e^-1; BLEU = 0.21874
    expect(bleu('cat', 'cat sat').bleu).toBeCloseTo(Math.exp(-1) * 8 ** -0.25, 12);
  });

  it('clips repeated words to their count in the ground truth', () => {
    // [cat, cat, cat] vs [cat, sat]: p1 = 1/3; p2 = (0+1)/(2+1) = 1/3; p3 = (0+1)/(1+1) = 1/2; p4 = 1/2
    // BP = 1 (3 > 2); BLEU = (1/36)^(1/4) = 1/√6 = 0.40825
    expect(bleu('cat cat cat', 'cat sat').bleu).toBeCloseTo(1 / Math.sqrt(6), 12);
  });

  it('scores 0 when no word is shared (unigram precision is not smoothed)', async () => {
    expect(bleu('dogs bark', 'cats meow').bleu).toBe(0);
    expect((await bleuMetric.score(testCase({ answer: 'dogs bark', groundTruth: 'cats meow' }))).explanation).toBe(
      'BLEU 0.00: no answer word is in the ground truth',
    );
  });

  it('ignores case and punctuation', () => {
    expect(bleu('CAT, SAT ON MAT!', 'cat sat on mat').bleu).toBe(1);
  });

  it('scores 0 when either side is empty, both included, as NLTK does', async () => {
    expect(bleu('', '...').bleu).toBe(0);
    expect(await bleuMetric.score(testCase({ answer: 'Paris', groundTruth: '' }))).toEqual({
      score: 0,
      explanation: 'BLEU 0.00: the ground truth is empty after normalisation',
    });
  });
});
