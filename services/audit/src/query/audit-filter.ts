import type { AuditQuery } from '@evalvault/service-apis';
import { InvalidCursorError, keysetCursor, pageSizeOf } from '@evalvault/platform';
import { AuditQueryError } from './audit-query.error.js';

const AUDIT_CURSOR = keysetCursor('audit', { after: 'natural' });

/** Keyset cursors (the platform's codec) of the last seq returned. */
export const encodeCursor = (afterSeq: number): string => AUDIT_CURSOR.encode({ after: afterSeq });

export function decodeCursor(cursor: string): number {
  try {
    return AUDIT_CURSOR.decode(cursor).after;
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new AuditQueryError('INVALID_CURSOR', error.message);
    throw error;
  }
}

export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  const size = pageSizeOf(limit, fallback, max);
  if (size === null) throw new AuditQueryError('INVALID_LIMIT', `limit must be a whole number from 1 to ${max}`);
  return size;
}

function instant(value: string | undefined, name: string): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new AuditQueryError('INVALID_FILTER', `${name} must be an ISO 8601 time, got "${value}"`);
  return new Date(time).toISOString();
}

/**
 * SQL conditions (after `tenant_id = $1`) for a query; the actor arrives already turned into
 * its pseudonym (a subject the tenant never saw has none, and matches nothing).
 */
export function filterClause(
  query: Omit<AuditQuery, 'limit' | 'cursor'>,
  actorPseudonym: string | null,
  params: unknown[],
): string {
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
