import type { MemoryPolicy } from '@evalvault/service-apis';
import { domainInvalidInput } from './memory-domain.errors.js';

export type { MemoryPolicy };

/** The policy of a project whose admins never set one (version 0). */
export const DEFAULT_MEMORY_POLICY: MemoryPolicy = Object.freeze({
  inferredUsableBeforeVerification: false,
  formation: { factMinFaithfulness: 0.7, behaviourMinScore: 0.8 },
  decay: { factor: 0.95, periodDays: 30 },
  forgetting: { maxAgeDays: 365, minVerificationCount: 1, minScore: 0.2 },
  consolidation: { enabled: true, objectSimilarity: 0.8 },
  search: { textWeight: 0.6, verificationWeight: 0.3, recencyWeight: 0.1, recencyHalfLifeDays: 90 },
  learning: { emaAlpha: 0.3 },
  maintenance: { intervalMinutes: 60 },
}) as MemoryPolicy;

type Rule = [check: (value: unknown) => boolean, expected: string];

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const UNIT: Rule = [(v) => isNumber(v) && v >= 0 && v <= 1, 'a number from 0 to 1'];
const FACTOR: Rule = [(v) => isNumber(v) && v > 0 && v <= 1, 'a number above 0, at most 1'];
const POSITIVE_INT: Rule = [(v) => isNumber(v) && Number.isInteger(v) && v >= 1, 'a whole number, 1 or more'];
const COUNT: Rule = [(v) => isNumber(v) && Number.isInteger(v) && v >= 0, 'a whole number, 0 or more'];
const MINUTES: Rule = [
  (v) => isNumber(v) && Number.isInteger(v) && v >= 1 && v <= 525_600,
  'a whole number of minutes from 1 to 525600',
];
const BOOL: Rule = [(v) => typeof v === 'boolean', 'true or false'];

type Section = Exclude<keyof MemoryPolicy, 'inferredUsableBeforeVerification'>;

/** Every field a policy may hold and what it must be. */
export const MEMORY_POLICY_RULES: { readonly [S in Section]: { readonly [F in keyof MemoryPolicy[S]]: Rule } } = {
  formation: { factMinFaithfulness: UNIT, behaviourMinScore: UNIT },
  decay: { factor: FACTOR, periodDays: POSITIVE_INT },
  forgetting: { maxAgeDays: POSITIVE_INT, minVerificationCount: COUNT, minScore: UNIT },
  consolidation: { enabled: BOOL, objectSimilarity: UNIT },
  search: { textWeight: UNIT, verificationWeight: UNIT, recencyWeight: UNIT, recencyHalfLifeDays: POSITIVE_INT },
  learning: { emaAlpha: FACTOR },
  maintenance: { intervalMinutes: MINUTES },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_REASON = 1000;

/**
 * A policy as an admin sets it (whole, PUT): a section or field left out takes its default; an
 * unknown section or field, a value of the wrong type or out of range is refused with every
 * problem listed (MemoryDomainError INVALID_INPUT), so nothing half-valid is ever set. A `reason`
 * (text or null) may ride along for the audit log; `version` is ignored (the decider numbers).
 */
export function parseMemoryPolicy(input: unknown): { policy: MemoryPolicy; reason: string | null } {
  if (!isObject(input)) throw domainInvalidInput('the memory policy must be a JSON object');
  const problems: string[] = [];
  const policy = clonePolicy(DEFAULT_MEMORY_POLICY) as unknown as Record<string, Record<string, unknown> | boolean>;
  let reason: string | null = null;
  for (const [section, value] of Object.entries(input)) {
    if (section === 'version') continue;
    if (section === 'reason') {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' || value.length > MAX_REASON)
        problems.push(`reason: text of at most ${MAX_REASON} characters`);
      else reason = value;
      continue;
    }
    if (section === 'inferredUsableBeforeVerification') {
      if (BOOL[0](value)) policy[section] = value as boolean;
      else problems.push(`${section}: ${BOOL[1]}`);
      continue;
    }
    const rules = (MEMORY_POLICY_RULES as Record<string, Record<string, Rule>>)[section];
    if (!rules) {
      problems.push(`${section}: not a memory policy field`);
      continue;
    }
    if (!isObject(value)) {
      problems.push(`${section}: an object`);
      continue;
    }
    for (const [field, fieldValue] of Object.entries(value)) {
      const rule = rules[field];
      if (!rule) problems.push(`${section}.${field}: not a memory policy field`);
      else if (!rule[0](fieldValue)) problems.push(`${section}.${field}: ${rule[1]}`);
      else (policy[section] as Record<string, unknown>)[field] = fieldValue;
    }
  }
  if (problems.length > 0) throw domainInvalidInput(`invalid memory policy: ${problems.join('; ')}`, problems);
  return { policy: policy as unknown as MemoryPolicy, reason };
}

/**
 * A policy read back from MemoryPolicyChanged: the stored JSON over the defaults, so fields added
 * after it was written keep their defaults. Version 1 when the JSON has none.
 */
export function policyFromJson(json: string): { policy: MemoryPolicy; version: number } {
  const { version, ...rest } = JSON.parse(json) as { version?: unknown } & Record<string, unknown>;
  const policy = clonePolicy(DEFAULT_MEMORY_POLICY) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(rest)) {
    if (!(key in policy)) continue;
    const base = policy[key];
    policy[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
  }
  return { policy: policy as unknown as MemoryPolicy, version: typeof version === 'number' ? version : 1 };
}

/** The JSON a MemoryPolicyChanged carries: the whole policy with its version first. */
export function policyToJson(policy: MemoryPolicy, version: number): string {
  return JSON.stringify({ version, ...policy });
}

export function clonePolicy(policy: MemoryPolicy): MemoryPolicy {
  return JSON.parse(JSON.stringify(policy)) as MemoryPolicy;
}

// ---- the policy stream's decider ------------------------------------------------------------

export interface MemoryPolicyState {
  /** 0: never set (DEFAULT_MEMORY_POLICY in force). */
  version: number;
  policy: MemoryPolicy;
}

export type MemoryPolicyCommand = { type: 'SetMemoryPolicy'; input: unknown };
export type MemoryPolicyEvent = { type: 'MemoryPolicyChanged'; payload: { policyJson: string } };

export const initialMemoryPolicyState: MemoryPolicyState = { version: 0, policy: DEFAULT_MEMORY_POLICY };

/** Validates the input; setting the policy in force again decides nothing, a change is the next version. */
export function decideMemoryPolicy(command: MemoryPolicyCommand, state: MemoryPolicyState): MemoryPolicyEvent[] {
  const { policy } = parseMemoryPolicy(command.input);
  if (JSON.stringify(policy) === JSON.stringify(state.policy)) return [];
  return [{ type: 'MemoryPolicyChanged', payload: { policyJson: policyToJson(policy, state.version + 1) } }];
}

export function evolveMemoryPolicy(state: MemoryPolicyState, event: MemoryPolicyEvent): MemoryPolicyState {
  if (event.type !== 'MemoryPolicyChanged') return state;
  return policyFromJson(event.payload.policyJson);
}

export const MEMORY_POLICY_DECIDER = {
  decide: decideMemoryPolicy,
  evolveWith: (state: MemoryPolicyState, events: readonly MemoryPolicyEvent[]): MemoryPolicyState =>
    events.reduce(evolveMemoryPolicy, state),
  initialState: initialMemoryPolicyState,
};
