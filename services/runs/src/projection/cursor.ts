import { RunsQueryError } from './runs-query.error.js';

/**
 * Keyset cursors, opaque to callers: base64url of a small JSON with a kind tag, so a
 * cases cursor cannot be passed off as a runs cursor. Anything that does not decode to
 * exactly the expected shape is INVALID_CURSOR, before it gets near SQL.
 */
export interface RunsCursor {
  requestedAt: string;
  runId: string;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): Record<string, unknown> {
  const invalid = new RunsQueryError('INVALID_CURSOR', 'the cursor is not one this API returned');
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalid;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid;
  return value as Record<string, unknown>;
}

export function encodeRunsCursor(position: RunsCursor): string {
  return encode({ k: 'runs', at: position.requestedAt, id: position.runId });
}

export function decodeRunsCursor(cursor: string): RunsCursor {
  const { k, at, id } = decode(cursor);
  const valid = k === 'runs' && typeof at === 'string' && ISO_MS.test(at) && !Number.isNaN(Date.parse(at)) && typeof id === 'string';
  if (!valid) throw new RunsQueryError('INVALID_CURSOR', 'the cursor is not one this API returned');
  return { requestedAt: at, runId: id };
}

export function encodeCasesCursor(caseIndex: number): string {
  return encode({ k: 'cases', after: caseIndex });
}

export function decodeCasesCursor(cursor: string): number {
  const { k, after } = decode(cursor);
  if (k !== 'cases' || typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) {
    throw new RunsQueryError('INVALID_CURSOR', 'the cursor is not one this API returned');
  }
  return after;
}

/** The page size asked for, defaulted and capped; nonsense is the caller's error. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new RunsQueryError('INVALID_LIMIT', `limit must be a whole number from 1 to ${max}`);
  return Math.min(limit, max);
}
