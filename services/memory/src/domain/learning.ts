import type { LearningUpdatedPayload, MemoryBaseline, MemoryPattern, MemoryReliability } from '@evalvault/contracts';
import type { Decided } from './memory-events.js';
import { domainInvalidInput } from './memory-domain.errors.js';

/**
 * Learnings: what runs of one dataset taught about one metric. Pure folds the formation uses,
 * and the learning stream's decider (one LearningUpdated per run, the whole learning each time).
 */

/** Exponential moving average: the first sample is taken as is, then alpha·x + (1 − alpha)·previous. */
export function emaStep(previous: number | null, sample: number, alpha: number): number {
  return previous === null ? sample : alpha * sample + (1 - alpha) * previous;
}

/** One sample for an entity or relation type; a new type starts at the sample. */
export function foldReliability(
  table: readonly MemoryReliability[],
  type: 'entity' | 'relation',
  name: string,
  score: number,
  alpha: number,
): MemoryReliability[] {
  const index = table.findIndex((entry) => entry.type === type && entry.name === name);
  if (index === -1) return sortReliability([...table, { type, name, ema: score, samples: 1 }]);
  const before = table[index]!;
  const next = { type, name, ema: emaStep(before.ema, score, alpha), samples: before.samples + 1 };
  return table.map((entry, i) => (i === index ? next : entry));
}

export const sortReliability = (table: readonly MemoryReliability[]): MemoryReliability[] =>
  [...table].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));

/** A run's pattern counts added to the learned ones; most frequent first, then by dimension and value. */
export function mergePatterns(
  previous: readonly MemoryPattern[],
  run: readonly { dimension: string; value: string; count: number }[],
  runId: string,
): MemoryPattern[] {
  const merged = new Map(previous.map((p) => [`${p.dimension}\0${p.value}`, { ...p }]));
  for (const { dimension, value, count } of run) {
    if (count <= 0) continue;
    const key = `${dimension}\0${value}`;
    const before = merged.get(key);
    merged.set(key, { dimension, value, count: (before?.count ?? 0) + count, lastRunId: runId });
  }
  return [...merged.values()].sort(
    (a, b) => b.count - a.count || a.dimension.localeCompare(b.dimension) || a.value.localeCompare(b.value),
  );
}

/** What one run measured for a metric: its aggregates and the share of cases at or above 0.5. */
export interface RunMetricSummary {
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  passRate: number;
}

/** The baseline after one more run: each figure the running mean over the runs learned from. */
export function foldBaseline(previous: MemoryBaseline | null, run: RunMetricSummary): MemoryBaseline {
  const n = previous?.count ?? 0;
  const running = (old: number | undefined, now: number): number =>
    old === undefined ? now : (old * n + now) / (n + 1);
  return {
    count: n + 1,
    mean: running(previous?.mean, run.mean),
    p10: running(previous?.p10, run.p10),
    p50: running(previous?.p50, run.p50),
    p90: running(previous?.p90, run.p90),
    passRate: running(previous?.passRate, run.passRate),
  };
}

// ---- the learning stream's decider ------------------------------------------------------------

export interface LearningState {
  learning: LearningUpdatedPayload | null;
  /** Runs learned from: a run teaches once. */
  runs: string[];
}

export const initialLearningState: LearningState = { learning: null, runs: [] };

export type LearningCommand = { type: 'UpdateLearning'; learning: LearningUpdatedPayload };
export type LearningEvent = Decided<'LearningUpdated'>;

export function decideLearning(command: LearningCommand, state: LearningState): LearningEvent[] {
  const learning = command.learning;
  if (state.runs.includes(learning.runId)) return [];
  const bad = [
    ...[learning.baseline.mean, learning.baseline.p10, learning.baseline.p50, learning.baseline.p90]
      .concat(learning.baseline.passRate)
      .filter((v) => !(Number.isFinite(v) && v >= 0 && v <= 1))
      .map(() => 'baseline: figures from 0 to 1'),
    ...learning.reliability.filter((r) => !(r.ema >= 0 && r.ema <= 1)).map((r) => `reliability ${r.name}: 0 to 1`),
  ];
  if (bad.length > 0) throw domainInvalidInput(`invalid learning: ${[...new Set(bad)].join('; ')}`, bad);
  return [{ type: 'LearningUpdated', payload: learning }];
}

export function evolveLearning(state: LearningState, event: LearningEvent): LearningState {
  return event.type === 'LearningUpdated'
    ? { learning: event.payload, runs: [...state.runs, event.payload.runId] }
    : state;
}

export const LEARNING_DECIDER = {
  decide: decideLearning,
  evolveWith: (state: LearningState, events: readonly LearningEvent[]): LearningState =>
    events.reduce(evolveLearning, state),
  initialState: initialLearningState,
};
