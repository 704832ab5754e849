import type { EvaluationCase } from '../../model/evaluation-case.js';
import type { WordVectors } from '../vectors/word-vectors.js';

/** A case with harmless defaults; tests override the fields they are about. */
export function testCase(overrides: Partial<EvaluationCase> = {}): EvaluationCase {
  return {
    id: 'case-1',
    question: 'What is the capital of France?',
    answer: 'Paris',
    contexts: [],
    groundTruth: null,
    ...overrides,
  };
}

/** A word-vector table from a plain object, so tests can compute cosines by hand. */
export function tableWordVectors(table: Readonly<Record<string, readonly number[]>>): WordVectors {
  const dimensions = Object.values(table)[0]?.length ?? 0;
  return { dimensions, vectorOf: (word) => (Object.hasOwn(table, word) ? table[word] : undefined) };
}

/**
 * 2-D vectors whose cosines are easy by hand (all unit length):
 * cat·kitten = 0.8, cat·dog = 0.6, kitten·dog = 0.96, cat·car = 0, kitten·car = 0.6, cat·bank = -1.
 */
export const TINY_VECTORS = tableWordVectors({
  cat: [1, 0],
  kitten: [0.8, 0.6],
  dog: [0.6, 0.8],
  car: [0, 1],
  bank: [-1, 0],
});
