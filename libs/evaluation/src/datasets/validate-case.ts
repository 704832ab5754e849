import type { EvaluationCase } from '../model/evaluation-case.js';
import { MAX_METADATA_DEPTH, type RowErrorCode } from './dataset-row.js';

// Strict input: a misspelt field (groundTruth, context) must not be silently ignored.
const FIELDS = ['id', 'question', 'answer', 'contexts', 'ground_truth', 'metadata'] as const;
const KNOWN = new Set<string>(FIELDS);

interface Problem {
  code: RowErrorCode;
  message: string;
}

export type CaseCheck =
  | { ok: true; testCase: EvaluationCase }
  | { ok: false; caseId: string | null; errorCode: RowErrorCode; message: string };

/**
 * Validates cases of one dataset, in order. Shared by every format and by inline cases so
 * that one input means one outcome wherever it comes from. Holds the accepted ids (not the
 * cases) to reject duplicates: memory grows with the number of cases, not with their size.
 */
export class CaseValidator {
  private readonly acceptedIds = new Set<string>();

  /** `index` is the row's 0-based position; a case without an id is named `case-<index+1>`. */
  check(raw: unknown, index: number): CaseCheck {
    if (!isRecord(raw)) {
      return {
        ok: false,
        caseId: null,
        errorCode: 'NOT_AN_OBJECT',
        message: `a case must be an object, got ${describeValue(raw)}`,
      };
    }
    const { caseId, problem } = readId(raw['id'], index);
    const problems = [...unknownFields(raw), ...(problem ? [problem] : []), ...fieldProblems(raw)];
    if (problems.length > 0 || caseId === null) {
      const errorCode = problems[0]?.code ?? 'INVALID_FIELD';
      return { ok: false, caseId, errorCode, message: problems.map((p) => p.message).join('; ') };
    }
    if (this.acceptedIds.has(caseId)) {
      const message = `case id "${caseId}" is already used by an earlier case of this dataset`;
      return { ok: false, caseId, errorCode: 'DUPLICATE_CASE_ID', message };
    }
    this.acceptedIds.add(caseId);
    return { ok: true, testCase: toCase(raw, caseId) };
  }
}

function toCase(raw: Record<string, unknown>, id: string): EvaluationCase {
  const testCase: EvaluationCase = {
    id,
    question: raw['question'] as string,
    answer: raw['answer'] as string,
    contexts: raw['contexts'] as string[],
    groundTruth: (raw['ground_truth'] as string | null | undefined) ?? null,
  };
  if (raw['metadata'] !== undefined) testCase.metadata = raw['metadata'] as Record<string, unknown>;
  return testCase;
}

function readId(value: unknown, index: number): { caseId: string | null; problem: Problem | null } {
  if (value === undefined) return { caseId: `case-${index + 1}`, problem: null };
  if (typeof value === 'number' && Number.isFinite(value)) return { caseId: String(value), problem: null };
  if (typeof value === 'string' && value.trim() !== '') return { caseId: value, problem: null };
  const message = `id must be a non-empty string or a number, got ${describeValue(value)}`;
  return { caseId: null, problem: { code: 'INVALID_FIELD', message } };
}

function unknownFields(raw: Record<string, unknown>): Problem[] {
  const unknown = Object.keys(raw).filter((key) => !KNOWN.has(key));
  if (unknown.length === 0) return [];
  const message = `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: ${FIELDS.join(', ')})`;
  return [{ code: 'UNKNOWN_FIELD', message }];
}

function fieldProblems(raw: Record<string, unknown>): Problem[] {
  return [
    requiredText(raw, 'question'),
    requiredText(raw, 'answer'),
    contextsProblem(raw['contexts']),
    groundTruthProblem(raw['ground_truth']),
    metadataProblem(raw['metadata']),
  ].filter((p): p is Problem => p !== null);
}

function requiredText(raw: Record<string, unknown>, field: string): Problem | null {
  const value = raw[field];
  if (value === undefined) return { code: 'MISSING_FIELD', message: `${field} is required` };
  if (isText(value)) return null;
  return { code: 'INVALID_FIELD', message: `${field} must be a non-empty string, got ${describeValue(value)}` };
}

function contextsProblem(value: unknown): Problem | null {
  if (value === undefined) return { code: 'MISSING_FIELD', message: 'contexts is required (use [] for none)' };
  if (!Array.isArray(value)) {
    return { code: 'INVALID_FIELD', message: `contexts must be an array of strings, got ${describeValue(value)}` };
  }
  const at = value.findIndex((item) => typeof item !== 'string');
  if (at === -1) return null;
  const message = `contexts must be an array of strings, got ${describeValue(value[at])} at contexts[${at}]`;
  return { code: 'INVALID_FIELD', message };
}

function groundTruthProblem(value: unknown): Problem | null {
  if (value === undefined || value === null || isText(value)) return null;
  return {
    code: 'INVALID_FIELD',
    message: `ground_truth must be a non-empty string or null, got ${describeValue(value)}`,
  };
}

function metadataProblem(value: unknown): Problem | null {
  if (value !== undefined && !isRecord(value))
    return { code: 'INVALID_FIELD', message: `metadata must be an object, got ${describeValue(value)}` };
  if (value !== undefined && depthOf(value, MAX_METADATA_DEPTH + 1) > MAX_METADATA_DEPTH)
    return { code: 'INVALID_FIELD', message: `metadata nests deeper than ${MAX_METADATA_DEPTH} levels` };
  const poisoned = value === undefined ? null : poisonedPath(value, 'metadata');
  // The same rule as the JSON API's parser: a key that reaches a prototype when merged is refused.
  return poisoned
    ? { code: 'INVALID_FIELD', message: `${poisoned} is not allowed (it could reach an object prototype)` }
    : null;
}

/** How deep a parsed JSON value nests (a scalar is 0), counted no further than `stop`: no deep recursion. */
function depthOf(value: unknown, stop: number): number {
  let level: unknown[] = [value];
  for (let depth = 0; depth < stop; depth++) {
    const next: unknown[] = [];
    for (const item of level)
      if (typeof item === 'object' && item !== null)
        for (const child of Object.values(item as object)) next.push(child);
    if (next.length === 0) return depth + (level.some((item) => typeof item === 'object' && item !== null) ? 1 : 0);
    level = next;
  }
  return stop;
}

/** The path of a `__proto__` key, or of a `constructor` holding `prototype`, anywhere in a parsed JSON value. */
function poisonedPath(value: unknown, path: string): string | null {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = poisonedPath(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (!isRecord(value)) return null;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return `${path}.__proto__`;
    if (key === 'constructor' && isRecord(value[key]) && Object.hasOwn(value[key], 'prototype'))
      return `${path}.constructor.prototype`;
    const found = poisonedPath(value[key], `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value's kind as a dataset author would name it, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string' && value.trim() === '') return value === '' ? 'empty string' : 'blank string';
  return typeof value;
}
