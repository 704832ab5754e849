import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MEMORY_POLICY } from './memory-policy.js';
import { isFactUsable } from './fact-usability.js';

const strict = DEFAULT_MEMORY_POLICY;
const lenient = { ...DEFAULT_MEMORY_POLICY, inferredUsableBeforeVerification: true };

describe('fact usability under the policy', () => {
  it('a proposed inferred fact is usable only when the policy allows it before verification', () => {
    expect(isFactUsable({ status: 'proposed', kind: 'inferred' }, strict)).toBe(false);
    expect(isFactUsable({ status: 'proposed', kind: 'inferred' }, lenient)).toBe(true);
  });

  it('a verified fact, or one imported as verified, is usable whatever the policy', () => {
    expect(isFactUsable({ status: 'verified', kind: 'inferred' }, strict)).toBe(true);
    expect(isFactUsable({ status: 'proposed', kind: 'verified' }, strict)).toBe(true);
  });

  it('a rejected or contradictory fact never is', () => {
    for (const policy of [strict, lenient]) {
      expect(isFactUsable({ status: 'rejected', kind: 'inferred' }, policy)).toBe(false);
      expect(isFactUsable({ status: 'verified', kind: 'contradictory' }, policy)).toBe(false);
      expect(isFactUsable({ status: 'proposed', kind: 'contradictory' }, policy)).toBe(false);
    }
  });
});
