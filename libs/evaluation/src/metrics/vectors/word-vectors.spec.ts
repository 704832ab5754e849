import { TINY_VECTORS } from '../testing/fixtures.js';
import { cosine, textSimilarity, textVector } from './word-vectors.js';

describe('word vectors', () => {
  it('computes cosines, 0 for a zero vector', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });

  it('averages the known content words of a text', () => {
    // [cat, kitten, zorblax]: mean of [1, 0] and [0.8, 0.6] = [0.9, 0.3]
    const result = textVector('The cat and the kitten, zorblax', TINY_VECTORS);
    const [x, y] = Array.from(result.vector ?? []);
    expect(x).toBeCloseTo(0.9, 12);
    expect(y).toBeCloseTo(0.3, 12);
    expect(result).toMatchObject({ known: ['cat', 'kitten'], unknown: ['zorblax'] });
  });

  it('has no vector for a text without known words', () => {
    expect(textVector('', TINY_VECTORS).vector).toBeNull();
    expect(textSimilarity('zorblax', 'cat', TINY_VECTORS).similarity).toBe(0);
  });
});
