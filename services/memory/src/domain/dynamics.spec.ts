import { DEFAULT_MEMORY_POLICY, parseMemoryPolicy } from './memory-policy.js';
import { DAY_MS } from './memory-events.js';
import {
  conflictResolutionPlan,
  consolidationPlan,
  decayPlan,
  forgettingPlan,
  objectSimilarity,
  planMaintenance,
  type FactSnapshot,
} from './dynamics.js';

const NOW = Date.UTC(2026, 11, 5);
const policy = DEFAULT_MEMORY_POLICY; // decay 0.95 / 30 days; forget 365 days, count < 1, score < 0.2; Jaccard 0.8

function fact(factId: string, over: Partial<FactSnapshot> = {}): FactSnapshot {
  return {
    factId,
    subject: 'Paris',
    predicate: 'is the capital of',
    object: 'France',
    status: 'proposed',
    kind: 'inferred',
    score: 0.9,
    verificationCount: 0,
    proposedAt: NOW - DAY_MS,
    lastVerifiedAt: null,
    decayedThrough: null,
    conflicts: [],
    ...over,
  };
}

describe('object similarity (token-set Jaccard)', () => {
  it('computes |A ∩ B| / |A ∪ B| over normalised words', () => {
    expect(objectSimilarity('Retrieval-augmented generation.', 'retrieval augmented  GENERATION')).toBe(1);
    expect(objectSimilarity('Paris', 'Paris France')).toBe(0.5);
    expect(objectSimilarity('a b c d e', 'a b c d')).toBe(0.8);
    expect(objectSimilarity('a b c d e', 'a b c d f')).toBeCloseTo(4 / 6, 12);
    expect(objectSimilarity('Lyon', 'Paris')).toBe(0);
    expect(objectSimilarity('...', '!')).toBe(1);
  });
});

describe('decay plan', () => {
  it('0.9 after two whole periods is 0.81225; a fact inside its first period is left alone', () => {
    const plan = decayPlan(
      [
        fact('old', { proposedAt: NOW - 61 * DAY_MS }),
        fact('new', { proposedAt: NOW - 29 * DAY_MS }),
        fact('decayed', { proposedAt: NOW - 100 * DAY_MS, decayedThrough: NOW - 40 * DAY_MS, score: 0.5 }),
      ],
      policy,
      NOW,
    );
    expect(plan.map((p) => [p.factId, p.periods])).toEqual([
      ['old', 2],
      ['decayed', 1],
    ]);
    expect(plan[0]!.to).toBeCloseTo(0.81225, 12);
    expect(plan[0]!.decayedThrough).toBe(NOW - 61 * DAY_MS + 60 * DAY_MS);
    expect(plan[1]!.to).toBeCloseTo(0.475, 12);
  });

  it('periods count from the last verification', () => {
    const verified = fact('v', { proposedAt: NOW - 300 * DAY_MS, lastVerifiedAt: NOW - 45 * DAY_MS, score: 1 });
    expect(decayPlan([verified], policy, NOW)).toEqual([
      { factId: 'v', from: 1, to: 0.95, periods: 1, decayedThrough: NOW - 15 * DAY_MS },
    ]);
  });
});

describe('forgetting plan', () => {
  it('stale: strictly older than maxAgeDays since the last verification (or proposal)', () => {
    const year = 365 * DAY_MS;
    const plan = forgettingPlan(
      [
        fact('exactly', { proposedAt: NOW - year, verificationCount: 3, score: 1 }),
        fact('older', { proposedAt: NOW - year - 1, verificationCount: 3, score: 1 }),
        fact('reverified', { proposedAt: NOW - 2 * year, lastVerifiedAt: NOW - DAY_MS, verificationCount: 3 }),
      ],
      policy,
      NOW,
    );
    expect(plan).toEqual([{ factId: 'older', reason: 'stale' }]);
  });

  it('weak: fewer verifications AND a score below minScore AND older than one decay period', () => {
    const old = NOW - 31 * DAY_MS;
    const plan = forgettingPlan(
      [
        fact('weak', { proposedAt: old, score: 0.19 }),
        fact('score-at-minimum', { proposedAt: old, score: 0.2 }),
        fact('verified-once', { proposedAt: old, lastVerifiedAt: old, score: 0.1, verificationCount: 1 }),
        fact('one-period-exactly', { proposedAt: NOW - 30 * DAY_MS, score: 0.1 }),
      ],
      policy,
      NOW,
    );
    expect(plan).toEqual([{ factId: 'weak', reason: 'weak' }]);
  });
});

describe('consolidation plan', () => {
  const sameGroup = (factId: string, object: string, over: Partial<FactSnapshot> = {}) =>
    fact(factId, { object, ...over });

  it('merges near-duplicates (Jaccard ≥ 0.8) into the better verified: count, then score, then older', () => {
    const plan = consolidationPlan(
      [
        sameGroup('f-low', 'the city of light a b', { score: 0.99 }),
        sameGroup('f-count', 'the city of light a', { verificationCount: 2, score: 0.5 }),
        sameGroup('f-other', 'a river'),
        fact('f-elsewhere', { subject: 'Lyon', object: 'the city of light a' }),
      ],
      policy,
    );
    // 'the city of light a' vs 'the city of light a b': 5/6 = 0.833 ≥ 0.8.
    expect(plan).toEqual([{ keptFactId: 'f-count', mergedFactIds: ['f-low'] }]);
  });

  it('same count: the higher score is kept; same score: the older', () => {
    expect(consolidationPlan([fact('a', { score: 0.7 }), fact('b', { score: 0.8, object: 'france' })], policy)).toEqual(
      [{ keptFactId: 'b', mergedFactIds: ['a'] }],
    );
    expect(
      consolidationPlan(
        [fact('young', { proposedAt: NOW - DAY_MS }), fact('old', { proposedAt: NOW - 9 * DAY_MS })],
        policy,
      ),
    ).toEqual([{ keptFactId: 'old', mergedFactIds: ['young'] }]);
  });

  it('nothing when disabled, and never rejected or contradictory facts', () => {
    const disabled = parseMemoryPolicy({ consolidation: { enabled: false } }).policy;
    expect(consolidationPlan([fact('a'), fact('b')], disabled)).toEqual([]);
    expect(consolidationPlan([fact('a'), fact('b', { status: 'rejected' })], policy)).toEqual([]);
    expect(consolidationPlan([fact('a'), fact('b', { kind: 'contradictory' })], policy)).toEqual([]);
  });
});

describe('conflict resolution plan', () => {
  it('a verified fact wins over an unverified one: flagged, and the other contradicted', () => {
    const plan = conflictResolutionPlan(
      [
        fact('lyon', { object: 'Lyon' }),
        fact('paris', { object: 'Paris', status: 'verified', kind: 'verified', verificationCount: 1, score: 1 }),
      ],
      policy,
    );
    expect(plan).toEqual({
      flag: [['paris', 'lyon']],
      contradict: [{ factId: 'lyon', keptFactId: 'paris', reason: 'verified' }],
    });
  });

  it('a tie stays flagged; an existing flag on both sides is not repeated', () => {
    const tie = conflictResolutionPlan([fact('a', { object: 'Lyon' }), fact('b', { object: 'Paris' })], policy);
    expect(tie.contradict).toEqual([]);
    expect(tie.flag).toHaveLength(1);
    const flagged = conflictResolutionPlan(
      [fact('a', { object: 'Lyon', conflicts: ['b'] }), fact('b', { object: 'Paris', conflicts: ['a'] })],
      policy,
    );
    expect(flagged).toEqual({ flag: [], contradict: [] });
  });

  it('same count, higher score wins as better_verified; a similar pair is no conflict', () => {
    const plan = conflictResolutionPlan(
      [fact('a', { object: 'Lyon', score: 0.7 }), fact('b', { object: 'Paris', score: 0.71 })],
      policy,
    );
    expect(plan.contradict).toEqual([{ factId: 'a', keptFactId: 'b', reason: 'better_verified' }]);
    expect(
      conflictResolutionPlan([fact('a', { object: 'a b c d' }), fact('b', { object: 'a b c d e' })], policy),
    ).toEqual({
      flag: [],
      contradict: [],
    });
  });
});

describe('a maintenance pass', () => {
  it('forgets on the decayed score: 0.21 × 0.95 = 0.1995 < 0.2 is weak', () => {
    const plan = planMaintenance([fact('w', { proposedAt: NOW - 31 * DAY_MS, score: 0.21 })], policy, NOW);
    expect(plan.decay[0]!.to).toBeCloseTo(0.1995, 12);
    expect(plan.forget).toEqual([{ factId: 'w', reason: 'weak' }]);
  });

  it('merged facts take no part in conflicts; forgotten ones in neither', () => {
    const plan = planMaintenance(
      [
        fact('kept', { object: 'Paris', verificationCount: 1, status: 'verified', lastVerifiedAt: NOW - DAY_MS }),
        fact('dup', { object: 'paris.' }),
        fact('rival', { object: 'Lyon' }),
        fact('stale', { object: 'Marseille', proposedAt: NOW - 400 * DAY_MS }),
      ],
      policy,
      NOW,
    );
    expect(plan.forget).toEqual([{ factId: 'stale', reason: 'stale' }]);
    expect(plan.consolidate).toEqual([{ keptFactId: 'kept', mergedFactIds: ['dup'] }]);
    expect(plan.flag).toEqual([['kept', 'rival']]);
    expect(plan.contradict).toEqual([{ factId: 'rival', keptFactId: 'kept', reason: 'verified' }]);
  });
});
