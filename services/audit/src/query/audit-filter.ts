import type { AuditQuery } from '@evalvault/service-apis';
import { AuditQueryError } from './audit-query.error.js';

/** Keyset cursors, opaque to callers: base64url JSON of the last seq returned. */
export function encodeCursor(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ k: 'audit', after: afterSeq }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const invalid = new AuditQueryError('INVALID_CURSOR', 'the cursor is not one this API returned');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  try {
    const { k, after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; after?: unknown };
    if (k !== 'audit' || typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) throw invalid;
    return after;
  } catch {
    throw invalid;
  }
}

export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new AuditQueryError('INVALID_LIMIT', `limit must be a whole number from 1 to ${max}`);
  return Math.min(limit, max);
}

function instant(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new AuditQueryError('INVALID_FILTER', `${name} must be an ISO 8601 time, got "${value}"`);
  return new Date(time).toISOString();
}

/**
 * SQL conditions (after `tenant_id = $1`) for a query; the actor arrives already turned into
 * its pseudonym (a subject the tenant never saw has none, and matches nothing).
 */
export function filterClause(query: Omit<AuditQuery, 'limit' | 'cursor'>, actorPseudonym: string | null, params: unknown[]): string {
  const clauses: string[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (query.actor !== undefined) add((p) => `actor_pseudonym = ${p}`, actorPseudonym ?? '');
  if (query.resource !== undefined) add((p) => `resource_keys @> ARRAY[${p}::text]`, query.resource);
  if (query.action !== undefined) add((p) => `action = ${p}`, query.action);
  const from = instant(query.from, 'from');
  const to = instant(query.to, 'to');
  if (from) add((p) => `occurred_at >= ${p}`, from);
  if (to) add((p) => `occurred_at < ${p}`, to);
  return clauses.map((clause) => ` AND ${clause}`).join('');
}

/** Throws the error a query's filters would raise, before any byte of an answer is sent. */
export function checkFilters(query: Omit<AuditQuery, 'limit' | 'cursor'>): void {
  filterClause(query, null, []);
}
