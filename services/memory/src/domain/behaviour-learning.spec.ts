import type { BehaviourRecordedPayload, MemorySource } from '@evalvault/contracts';
import { BEHAVIOUR_DECIDER, decideBehaviour, type BehaviourCommand, type BehaviourState } from './behaviour.decider.js';
import { LEARNING_DECIDER, decideLearning, emaStep, foldBaseline, foldReliability, mergePatterns } from './learning.js';
import { decideDeletion, decideMaintenance } from './memory-records.decider.js';

const B = 'd'.repeat(32);
const caseOf = (runId: string, id: string): MemorySource => ({ kind: 'case', id, runId });
const recorded = (sources: MemorySource[]): BehaviourRecordedPayload => ({
  behaviourId: B,
  keyId: B,
  sealed: Buffer.from([9]),
  successRate: 1,
  useCount: 1,
  tokensSaved: 0,
  sources,
});

function play(commands: BehaviourCommand[]): BehaviourState {
  return commands.reduce(
    (state, command) => BEHAVIOUR_DECIDER.evolveWith(state, decideBehaviour(command, state)),
    BEHAVIOUR_DECIDER.initialState,
  );
}

describe('behaviour decider', () => {
  it('records from a success, observes each source once: 2 successes of 3 uses is 2/3', () => {
    const state = play([
      { type: 'RecordBehaviour', behaviour: recorded([caseOf('r1', 'c1')]) },
      { type: 'RecordBehaviour', behaviour: recorded([caseOf('r1', 'c1')]) },
      { type: 'RecordBehaviour', behaviour: recorded([caseOf('r1', 'c2')]) },
      { type: 'ObserveBehaviour', behaviourId: B, succeeded: false, tokensSaved: 40, source: caseOf('r2', 'c1') },
      { type: 'ObserveBehaviour', behaviourId: B, succeeded: false, tokensSaved: 40, source: caseOf('r2', 'c1') },
    ]);
    expect(state).toMatchObject({ exists: true, useCount: 3, successes: 2, tokensSaved: 40 });
    expect(state.successRate).toBeCloseTo(2 / 3, 12);
  });

  it('a failure never creates a behaviour; a forgotten one stays forgotten', () => {
    const observe: BehaviourCommand = {
      type: 'ObserveBehaviour',
      behaviourId: B,
      succeeded: false,
      tokensSaved: 0,
      source: caseOf('r1', 'c1'),
    };
    expect(decideBehaviour(observe, BEHAVIOUR_DECIDER.initialState)).toEqual([]);
    const forgotten = play([
      { type: 'RecordBehaviour', behaviour: recorded([caseOf('r1', 'c1')]) },
      { type: 'ForgetBehaviour', behaviourId: B, reason: 'deletion_request', requestId: 'q' },
    ]);
    expect(forgotten.forgotten).toBe(true);
    expect(decideBehaviour({ type: 'RecordBehaviour', behaviour: recorded([caseOf('r9', 'c9')]) }, forgotten)).toEqual(
      [],
    );
  });

  it('refuses a success rate outside [0, 1]', () => {
    expect(() =>
      decideBehaviour(
        { type: 'RecordBehaviour', behaviour: { ...recorded([caseOf('r1', 'c1')]), successRate: 1.5 } },
        BEHAVIOUR_DECIDER.initialState,
      ),
    ).toThrow('successRate: a number from 0 to 1');
  });
});

describe('learning folds', () => {
  it('EMA: first sample as is, then 0.3 × 0.5 + 0.7 × 0.8 = 0.71', () => {
    expect(emaStep(null, 0.8, 0.3)).toBe(0.8);
    expect(emaStep(0.8, 0.5, 0.3)).toBeCloseTo(0.71, 12);
    let table = foldReliability([], 'relation', 'is', 0.8, 0.3);
    table = foldReliability(table, 'relation', 'is', 0.5, 0.3);
    table = foldReliability(table, 'entity', 'city', 1, 0.3);
    expect(table.map((r) => [r.type, r.name, r.samples])).toEqual([
      ['entity', 'city', 1],
      ['relation', 'is', 2],
    ]);
    expect(table[1]!.ema).toBeCloseTo(0.71, 12);
  });

  it('baseline: running means over runs, (0.8 + 0.6) / 2 = 0.7', () => {
    const first = foldBaseline(null, { mean: 0.8, p10: 0.5, p50: 0.8, p90: 1, passRate: 0.9 });
    expect(first).toEqual({ count: 1, mean: 0.8, p10: 0.5, p50: 0.8, p90: 1, passRate: 0.9 });
    const second = foldBaseline(first, { mean: 0.6, p10: 0.2, p50: 0.6, p90: 0.9, passRate: 0.5 });
    expect(second.count).toBe(2);
    expect(second.mean).toBeCloseTo(0.7, 12);
    expect(second.passRate).toBeCloseTo(0.7, 12);
    const third = foldBaseline(second, { mean: 1, p10: 1, p50: 1, p90: 1, passRate: 1 });
    expect(third.mean).toBeCloseTo(0.8, 12); // (0.7 × 2 + 1) / 3
  });

  it('patterns add up, most frequent first, with the last run that had them', () => {
    const before = [{ dimension: 'question_type', value: 'why', count: 2, lastRunId: 'r1' }];
    expect(
      mergePatterns(
        before,
        [
          { dimension: 'question_type', value: 'why', count: 1 },
          { dimension: 'contexts', value: 'none', count: 3 },
        ],
        'r2',
      ),
    ).toEqual([
      { dimension: 'contexts', value: 'none', count: 3, lastRunId: 'r2' },
      { dimension: 'question_type', value: 'why', count: 3, lastRunId: 'r2' },
    ]);
  });

  it('a run teaches a learning once', () => {
    const learning = {
      learningId: 'l',
      datasetKey: 'ds',
      metric: 'token_f1',
      runId: 'r1',
      baseline: { count: 1, mean: 0.5, p10: 0.1, p50: 0.5, p90: 0.9, passRate: 0.5 },
      reliability: [],
      failurePatterns: [],
      successPatterns: [],
    };
    const first = decideLearning({ type: 'UpdateLearning', learning }, LEARNING_DECIDER.initialState);
    const state = LEARNING_DECIDER.evolveWith(LEARNING_DECIDER.initialState, first);
    expect(decideLearning({ type: 'UpdateLearning', learning }, state)).toEqual([]);
    expect(() =>
      decideLearning(
        { type: 'UpdateLearning', learning: { ...learning, runId: 'r2', baseline: { ...learning.baseline, mean: 2 } } },
        state,
      ),
    ).toThrow('baseline: figures from 0 to 1');
  });
});

describe('deletion and maintenance records', () => {
  it('a deletion request is decided once, with its summary', () => {
    const entries = [{ kind: 'fact', id: 'f1' }];
    const command = {
      type: 'RequestDeletion' as const,
      requestId: 'q1',
      target: 'subject' as const,
      targetHash: 'e'.repeat(64),
      entries,
    };
    expect(decideDeletion(command, { exists: false })).toEqual([
      {
        type: 'MemoryDeletionRequested',
        payload: { requestId: 'q1', target: 'subject', targetHash: 'e'.repeat(64), matched: 1 },
      },
      { type: 'EntriesForgotten', payload: { entries, reason: 'deletion_request', requestId: 'q1' } },
    ]);
    expect(decideDeletion(command, { exists: true })).toEqual([]);
    expect(() => decideDeletion({ ...command, targetHash: 'paris' }, { exists: false })).toThrow('targetHash');
  });

  it('a maintenance pass summarises what it forgot, then completes', () => {
    const summary = { decayed: 2, forgotten: 1, consolidated: 0, conflictsResolved: 0, policyVersion: 0 };
    const events = decideMaintenance(
      { type: 'CompleteMaintenance', summary, forgotten: [{ kind: 'fact', id: 'f' }] },
      { passes: 0 },
    );
    expect(events.map((e) => e.type)).toEqual(['EntriesForgotten', 'MemoryMaintenanceCompleted']);
    expect(decideMaintenance({ type: 'CompleteMaintenance', summary, forgotten: [] }, { passes: 1 })).toHaveLength(1);
  });
});
