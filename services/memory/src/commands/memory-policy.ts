import type { MemoryPolicy } from '@evalvault/service-apis';
import { invalidInput } from '../api/memory-errors.js';

export const DEFAULT_MEMORY_POLICY: MemoryPolicy = {
  inferredUsableBeforeVerification: false,
  formation: { factMinFaithfulness: 0.7, behaviourMinScore: 0.8 },
  decay: { factor: 0.95, periodDays: 30 },
  forgetting: { maxAgeDays: 365, minVerificationCount: 1, minScore: 0.2 },
  consolidation: { enabled: true, objectSimilarity: 0.8 },
  search: { textWeight: 0.6, verificationWeight: 0.3, recencyWeight: 0.1, recencyHalfLifeDays: 90 },
  learning: { emaAlpha: 0.3 },
  maintenance: { intervalMinutes: 60 },
};

type Check = (value: unknown) => boolean;
const unit: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
const positive: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;
const positiveUnit: Check = (v) => unit(v) && (v as number) > 0;
const count: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const minutes: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 525_600;
const bool: Check = (v) => typeof v === 'boolean';

const RULES: {
  [S in Exclude<keyof MemoryPolicy, 'inferredUsableBeforeVerification'>]: Record<string, [Check, string]>;
} = {
  formation: {
    factMinFaithfulness: [unit, 'a number from 0 to 1'],
    behaviourMinScore: [unit, 'a number from 0 to 1'],
  },
  decay: { factor: [positiveUnit, 'a number above 0, at most 1'], periodDays: [positive, 'a number above 0'] },
  forgetting: {
    maxAgeDays: [positive, 'a number above 0'],
    minVerificationCount: [count, 'a whole number, 0 or more'],
    minScore: [unit, 'a number from 0 to 1'],
  },
  consolidation: { enabled: [bool, 'true or false'], objectSimilarity: [unit, 'a number from 0 to 1'] },
  search: {
    textWeight: [unit, 'a number from 0 to 1'],
    verificationWeight: [unit, 'a number from 0 to 1'],
    recencyWeight: [unit, 'a number from 0 to 1'],
    recencyHalfLifeDays: [positive, 'a number above 0'],
  },
  learning: { emaAlpha: [positiveUnit, 'a number above 0, at most 1'] },
  maintenance: { intervalMinutes: [minutes, 'a whole number of minutes from 1 to 525600'] },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A policy as set (PUT, whole): a section or field left out takes its default; an unknown
 * section or field, or a value of the wrong type or range, is the caller's error (nothing is set).
 * `reason` rides along for the audit log.
 */
export function parseMemoryPolicy(input: unknown): { policy: MemoryPolicy; reason: string | null } {
  if (!isObject(input)) throw invalidInput('the memory policy must be a JSON object');
  const problems: string[] = [];
  const policy = structuredClone(DEFAULT_MEMORY_POLICY) as unknown as Record<string, Record<string, unknown>>;
  let reason: string | null = null;
  for (const [section, value] of Object.entries(input)) {
    if (section === 'reason') {
      if (value !== null && value !== undefined && (typeof value !== 'string' || value.length > 1000))
        problems.push('reason: text of at most 1000 characters');
      else reason = (value as string | null | undefined) ?? null;
      continue;
    }
    if (section === 'inferredUsableBeforeVerification') {
      if (!bool(value)) problems.push(`${section}: true or false`);
      else (policy as Record<string, unknown>)[section] = value;
      continue;
    }
    const rules = (RULES as Record<string, Record<string, [Check, string]>>)[section];
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
      else policy[section]![field] = fieldValue;
    }
  }
  if (problems.length > 0) throw invalidInput(`invalid memory policy: ${problems.join('; ')}`, problems);
  return { policy: policy as unknown as MemoryPolicy, reason };
}

/** A policy read back from an event: the stored JSON over the defaults (fields added later keep defaults). */
export function policyFromJson(json: string): { policy: MemoryPolicy; version: number } {
  const { version, ...rest } = JSON.parse(json) as { version?: number } & Record<string, unknown>;
  const policy = structuredClone(DEFAULT_MEMORY_POLICY) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(rest)) {
    const base = policy[key];
    policy[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
  }
  return { policy: policy as unknown as MemoryPolicy, version: version ?? 1 };
}
