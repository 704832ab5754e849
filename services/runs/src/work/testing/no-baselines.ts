import type { BaselineFinder } from '../run-completer.js';

/** A baseline finder for tests that gate nothing against a baseline: no run, and memory has learned nothing. */
export const noBaselines: BaselineFinder = {
  findBaseline: async () => null,
  findLearnedBaselines: async () => ({ source: 'memory', learnings: new Map() }),
};
