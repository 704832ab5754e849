import { MemoryDomainError, MemoryDomainErrorCode } from './memory-domain.errors.js';
import {
  DEFAULT_MEMORY_POLICY,
  MEMORY_POLICY_DECIDER,
  decideMemoryPolicy,
  parseMemoryPolicy,
  policyFromJson,
} from './memory-policy.js';

function problemsOf(input: unknown): readonly string[] {
  try {
    parseMemoryPolicy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryDomainError);
    expect((error as MemoryDomainError).code).toBe(MemoryDomainErrorCode.InvalidInput);
    return (error as MemoryDomainError).details;
  }
  throw new Error('the policy was accepted');
}

describe('memory policy', () => {
  it('takes the defaults for everything left out, section by section and field by field', () => {
    expect(parseMemoryPolicy({}).policy).toEqual(DEFAULT_MEMORY_POLICY);
    const { policy, reason } = parseMemoryPolicy({ decay: { factor: 0.9 }, reason: 'faster decay', version: 7 });
    expect(policy.decay).toEqual({ factor: 0.9, periodDays: 30 });
    expect(policy.forgetting).toEqual({ maxAgeDays: 365, minVerificationCount: 1, minScore: 0.2 });
    expect(reason).toBe('faster decay');
  });

  it('lists every problem: unknown fields, wrong types, values out of range', () => {
    expect(
      problemsOf({
        colour: 'blue',
        decay: { factor: 0, periodDays: 1.5, halfLife: 3 },
        formation: { factMinFaithfulness: 1.01, behaviourMinScore: '0.8' },
        forgetting: { minVerificationCount: -1, maxAgeDays: 0 },
        consolidation: { enabled: 'yes' },
        search: 'fast',
        inferredUsableBeforeVerification: 1,
        maintenance: { intervalMinutes: 0 },
      }),
    ).toEqual([
      'colour: not a memory policy field',
      'decay.factor: a number above 0, at most 1',
      'decay.periodDays: a whole number, 1 or more',
      'decay.halfLife: not a memory policy field',
      'formation.factMinFaithfulness: a number from 0 to 1',
      'formation.behaviourMinScore: a number from 0 to 1',
      'forgetting.minVerificationCount: a whole number, 0 or more',
      'forgetting.maxAgeDays: a whole number, 1 or more',
      'consolidation.enabled: true or false',
      'search: an object',
      'inferredUsableBeforeVerification: true or false',
      'maintenance.intervalMinutes: a whole number of minutes from 1 to 525600',
    ]);
    expect(problemsOf([])).toEqual([]);
    expect(problemsOf({ learning: { emaAlpha: Number.NaN } })).toEqual([
      'learning.emaAlpha: a number above 0, at most 1',
    ]);
  });

  it('accepts the boundaries: factor 1, scores 0 and 1, no minimum verification', () => {
    const { policy } = parseMemoryPolicy({
      decay: { factor: 1 },
      formation: { factMinFaithfulness: 0, behaviourMinScore: 1 },
      forgetting: { minVerificationCount: 0 },
    });
    expect(policy.decay.factor).toBe(1);
    expect(policy.formation).toEqual({ factMinFaithfulness: 0, behaviourMinScore: 1 });
    expect(policy.forgetting.minVerificationCount).toBe(0);
  });

  it('numbers versions: a change is the next one, setting the policy in force again decides nothing', () => {
    const first = decideMemoryPolicy(
      { type: 'SetMemoryPolicy', input: { learning: { emaAlpha: 0.5 } } },
      MEMORY_POLICY_DECIDER.initialState,
    );
    expect(JSON.parse(first[0]!.payload.policyJson)).toMatchObject({ version: 1, learning: { emaAlpha: 0.5 } });
    const state = MEMORY_POLICY_DECIDER.evolveWith(MEMORY_POLICY_DECIDER.initialState, first);
    expect(state.version).toBe(1);
    expect(state.policy.learning.emaAlpha).toBe(0.5);
    expect(decideMemoryPolicy({ type: 'SetMemoryPolicy', input: { learning: { emaAlpha: 0.5 } } }, state)).toEqual([]);
    const second = decideMemoryPolicy({ type: 'SetMemoryPolicy', input: {} }, state);
    expect(MEMORY_POLICY_DECIDER.evolveWith(state, second)).toEqual({ version: 2, policy: DEFAULT_MEMORY_POLICY });
    // The defaults themselves, never set: nothing to record.
    expect(decideMemoryPolicy({ type: 'SetMemoryPolicy', input: {} }, MEMORY_POLICY_DECIDER.initialState)).toEqual([]);
  });

  it('reads an older policy JSON over the defaults (fields added later keep their defaults)', () => {
    const { policy, version } = policyFromJson(JSON.stringify({ version: 3, decay: { factor: 0.5 } }));
    expect(version).toBe(3);
    expect(policy.decay).toEqual({ factor: 0.5, periodDays: 30 });
    expect(policy.search).toEqual(DEFAULT_MEMORY_POLICY.search);
  });
});
