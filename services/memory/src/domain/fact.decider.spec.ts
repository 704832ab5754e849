import type { FactProposedPayload, MemorySource } from '@evalvault/contracts';
import { DAY_MS } from './memory-events.js';
import { MemoryDomainError, MemoryDomainErrorCode } from './memory-domain.errors.js';
import {
  decideFact,
  decayOf,
  evolveFactWith,
  initialFactState,
  type FactCommand,
  type FactEvent,
  type FactState,
} from './fact.decider.js';

const T0 = Date.UTC(2026, 0, 1);
const FACT = 'a'.repeat(32);
const run1: MemorySource = { kind: 'run', id: 'run-1', runId: null };
const case1: MemorySource = { kind: 'case', id: 'c1', runId: 'run-1' };
const case2: MemorySource = { kind: 'case', id: 'c1', runId: 'run-2' };

const proposal = (over: Partial<FactProposedPayload> = {}): FactProposedPayload => ({
  factId: FACT,
  keyId: FACT,
  sealed: Buffer.from([1, 2, 3]),
  domain: 'geo',
  language: 'en',
  kind: 'inferred',
  verificationScore: 0.9,
  sources: [run1, case1],
  ...over,
});

/** Decides each command on the state so far and folds what it decided, like the repository. */
function play(commands: FactCommand[], state: FactState = initialFactState): { state: FactState; events: FactEvent[] } {
  const events: FactEvent[] = [];
  for (const command of commands) {
    const decided = decideFact(command, state);
    events.push(...decided);
    state = evolveFactWith(state, decided);
  }
  return { state, events };
}

const proposed = (): FactState => play([{ type: 'ProposeFact', proposal: proposal(), at: T0 }]).state;

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return error instanceof MemoryDomainError ? error.code : 'other';
  }
  return 'none';
}

describe('fact decider', () => {
  it('proposes a new fact, then turns the same triple into support with only the sources it lacks', () => {
    const { state, events } = play([
      { type: 'ProposeFact', proposal: proposal(), at: T0 },
      { type: 'ProposeFact', proposal: proposal(), at: T0 + 1 },
      { type: 'ProposeFact', proposal: proposal({ sources: [run1, case2], verificationScore: 0.75 }), at: T0 + 2 },
    ]);
    expect(events.map((e) => e.type)).toEqual(['FactProposed', 'FactSupported']);
    expect(events[1]!.payload).toEqual({ factId: FACT, sources: [case2], score: 0.75 });
    expect(state).toMatchObject({ exists: true, status: 'proposed', kind: 'inferred', score: 0.9, proposedAt: T0 });
    expect(state.sources).toEqual(['run:run-1', 'case:run-1:c1', 'case:run-2:c1']);
  });

  it('support is idempotent on sources and refuses a score outside [0, 1]', () => {
    const state = proposed();
    expect(decideFact({ type: 'SupportFact', factId: FACT, sources: [case1], score: 0.8 }, state)).toEqual([]);
    expect(codeOf(() => decideFact({ type: 'SupportFact', factId: FACT, sources: [case2], score: 1.2 }, state))).toBe(
      MemoryDomainErrorCode.InvalidInput,
    );
    expect(
      codeOf(() => decideFact({ type: 'SupportFact', factId: FACT, sources: [case2], score: 0.8 }, initialFactState)),
    ).toBe(MemoryDomainErrorCode.NotFound);
  });

  it('refuses a malformed proposal: score out of range, no sources, a bad id', () => {
    const bad = proposal({ verificationScore: -0.1, sources: [], factId: 'nope' });
    let details: readonly string[] = [];
    try {
      decideFact({ type: 'ProposeFact', proposal: bad, at: T0 }, initialFactState);
    } catch (error) {
      details = (error as MemoryDomainError).details;
    }
    expect(details).toEqual([
      'factId: 32 hex digits',
      'verificationScore: a number from 0 to 1',
      'sources: at least one',
    ]);
  });

  it('verifies: score 1, one more verification, the time of the verification; verifies again', () => {
    const { state, events } = play(
      [
        { type: 'VerifyFact', factId: FACT, reason: 'checked the atlas', at: T0 + DAY_MS },
        { type: 'VerifyFact', factId: FACT, reason: null, at: T0 + 2 * DAY_MS },
      ],
      proposed(),
    );
    expect(events[0]!.payload).toEqual({
      factId: FACT,
      reason: 'checked the atlas',
      verificationScore: 1,
      verificationCount: 1,
    });
    expect(state).toMatchObject({
      status: 'verified',
      kind: 'verified',
      verificationCount: 2,
      lastVerifiedAt: T0 + 2 * DAY_MS,
    });
  });

  it('never verifies a rejected fact, nor a forgotten or unknown one', () => {
    const rejected = play([{ type: 'RejectFact', factId: FACT, reason: 'wrong' }], proposed()).state;
    expect(rejected.status).toBe('rejected');
    const verify: FactCommand = { type: 'VerifyFact', factId: FACT, reason: null, at: T0 };
    expect(codeOf(() => decideFact(verify, rejected))).toBe(MemoryDomainErrorCode.Conflict);
    const forgotten = play(
      [{ type: 'ForgetFact', factId: FACT, reason: 'deletion_request', requestId: 'req-1' }],
      proposed(),
    ).state;
    expect(codeOf(() => decideFact(verify, forgotten))).toBe(MemoryDomainErrorCode.NotFound);
    expect(codeOf(() => decideFact(verify, initialFactState))).toBe(MemoryDomainErrorCode.NotFound);
  });

  it('rejects once, with a reason', () => {
    const state = proposed();
    expect(codeOf(() => decideFact({ type: 'RejectFact', factId: FACT, reason: '  ' }, state))).toBe(
      MemoryDomainErrorCode.InvalidInput,
    );
    const { events } = play(
      [
        { type: 'RejectFact', factId: FACT, reason: 'wrong' },
        { type: 'RejectFact', factId: FACT, reason: 'still wrong' },
      ],
      state,
    );
    expect(events).toEqual([{ type: 'FactRejected', payload: { factId: FACT, reason: 'wrong' } }]);
  });

  it('flags a conflict once, contradicts once, and the contradicted fact leaves the conflict', () => {
    const other = 'b'.repeat(32);
    const { state, events } = play(
      [
        { type: 'FlagFactConflict', factId: FACT, conflictingFactId: other },
        { type: 'FlagFactConflict', factId: FACT, conflictingFactId: other },
        { type: 'ContradictFact', factId: FACT, keptFactId: other, reason: 'better_verified' },
        { type: 'ContradictFact', factId: FACT, keptFactId: other, reason: 'better_verified' },
      ],
      proposed(),
    );
    expect(events.map((e) => e.type)).toEqual(['FactConflictFlagged', 'FactContradicted']);
    expect(state.kind).toBe('contradictory');
    expect(state.conflicts).toEqual([]);
    expect(
      codeOf(() => decideFact({ type: 'FlagFactConflict', factId: FACT, conflictingFactId: FACT }, proposed())),
    ).toBe(MemoryDomainErrorCode.InvalidInput);
  });

  it('decays 0.9 by two whole periods to 0.81225, never twice for the same period', () => {
    const decay = (at: number): FactCommand => ({ type: 'DecayFact', factId: FACT, at, factor: 0.95, periodDays: 30 });
    let state = proposed();
    // 59 days: one whole period only.
    expect(decayOf(state, T0 + 59 * DAY_MS, 0.95, 30)?.periods).toBe(1);
    const first = decideFact(decay(T0 + 61 * DAY_MS), state);
    expect(first).toHaveLength(1);
    const p = first[0]!.payload as { from: number; to: number; periods: number; decayedThrough: number };
    expect(p.from).toBe(0.9);
    expect(p.to).toBeCloseTo(0.81225, 12);
    expect(p.periods).toBe(2);
    expect(p.decayedThrough).toBe(T0 + 60 * DAY_MS);
    state = evolveFactWith(state, first);
    // Same pass again, and 14 days later (still inside period 3): nothing.
    expect(decideFact(decay(T0 + 61 * DAY_MS), state)).toEqual([]);
    expect(decideFact(decay(T0 + 89 * DAY_MS), state)).toEqual([]);
    // Period 3 complete at day 90: one period, 0.81225 × 0.95 = 0.7716375.
    const third = decideFact(decay(T0 + 90 * DAY_MS), state);
    expect((third[0]!.payload as { to: number; periods: number }).to).toBeCloseTo(0.7716375, 12);
    expect((third[0]!.payload as { periods: number }).periods).toBe(1);
  });

  it('counts decay periods from the last verification, which resets the score', () => {
    const decay = (at: number): FactCommand => ({ type: 'DecayFact', factId: FACT, at, factor: 0.95, periodDays: 30 });
    const { state } = play(
      [decay(T0 + 61 * DAY_MS), { type: 'VerifyFact', factId: FACT, reason: null, at: T0 + 70 * DAY_MS }],
      proposed(),
    );
    expect(state.score).toBe(1);
    expect(decideFact(decay(T0 + 99 * DAY_MS), state)).toEqual([]);
    const next = decideFact(decay(T0 + 100 * DAY_MS), state);
    expect((next[0]!.payload as { to: number }).to).toBeCloseTo(0.95, 12);
  });

  it('consolidates each merged fact once and takes their new sources', () => {
    const merged = 'c'.repeat(32);
    const { state, events } = play(
      [
        { type: 'ConsolidateFacts', keptFactId: FACT, mergedFactIds: [merged, FACT], sources: [case1, case2] },
        { type: 'ConsolidateFacts', keptFactId: FACT, mergedFactIds: [merged], sources: [case2] },
      ],
      proposed(),
    );
    expect(events).toEqual([
      { type: 'FactsConsolidated', payload: { keptFactId: FACT, mergedFactIds: [merged], sources: [case2] } },
    ]);
    expect(state.merged).toEqual([merged]);
  });

  it('a forgotten fact stays forgotten: proposals, maintenance and a second forget decide nothing', () => {
    const { state } = play([{ type: 'ForgetFact', factId: FACT, reason: 'stale', requestId: null }], proposed());
    expect(state).toMatchObject({ forgotten: true, forgottenReason: 'stale' });
    expect(decideFact({ type: 'ProposeFact', proposal: proposal({ sources: [case2] }), at: T0 }, state)).toEqual([]);
    expect(
      decideFact({ type: 'DecayFact', factId: FACT, at: T0 + 400 * DAY_MS, factor: 0.5, periodDays: 1 }, state),
    ).toEqual([]);
    expect(decideFact({ type: 'ForgetFact', factId: FACT, reason: 'weak', requestId: null }, state)).toEqual([]);
  });

  it('folds stored events (time from the envelope) to the same state as decided ones', () => {
    const commands: FactCommand[] = [
      { type: 'ProposeFact', proposal: proposal(), at: T0 },
      { type: 'DecayFact', factId: FACT, at: T0 + 40 * DAY_MS, factor: 0.9, periodDays: 30 },
      { type: 'VerifyFact', factId: FACT, reason: null, at: T0 + 50 * DAY_MS },
    ];
    const { state, events } = play(commands);
    const stored = events.map((event, i) => ({ ...event, occurredAt: [T0, T0 + 40 * DAY_MS, T0 + 50 * DAY_MS][i] }));
    const stripped = events.map(({ type, payload }) => ({ type, payload }) as FactEvent);
    expect(evolveFactWith(initialFactState, stored)).toEqual(state);
    expect(state).toMatchObject({ proposedAt: T0, lastVerifiedAt: T0 + 50 * DAY_MS, decayedThrough: null });
    // Without any time the fold keeps what it had rather than inventing one.
    expect(evolveFactWith(initialFactState, stripped).proposedAt).toBe(0);
  });
});
