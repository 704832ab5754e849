import { invalidInput } from '../resource/resource.errors.js';

/**
 * Keyset cursors, opaque to callers: base64url of a small JSON tagged with its listing, so a
 * cursor of one listing cannot be passed to another. Anything else is refused before SQL.
 */
export type RegistryCursor =
  | { k: 'resources'; name: string; id: string }
  | { k: 'versions'; before: number }
  | { k: 'cases'; after: number };

export function encodeCursor(cursor: RegistryCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor<K extends RegistryCursor['k']>(cursor: string, kind: K): Extract<RegistryCursor, { k: K }> {
  const invalid = invalidInput('cursor: not one this API returned');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw invalid;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid;
  }
  if (typeof value !== 'object' || value === null || value['k'] !== kind) throw invalid;
  const valid = kind === 'resources'
    ? typeof value['name'] === 'string' && typeof value['id'] === 'string'
    : Number.isSafeInteger(value[kind === 'versions' ? 'before' : 'after']) && (value[kind === 'versions' ? 'before' : 'after'] as number) >= 0;
  if (!valid) throw invalid;
  return value as Extract<RegistryCursor, { k: K }>;
}

/** The page size asked for, defaulted and capped; nonsense is the caller's error. */
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw invalidInput(`limit: a whole number from 1 to ${max}`);
  return Math.min(limit, max);
}
