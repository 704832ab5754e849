import type { DataSource } from 'typeorm';
import type { Scope } from '@evalvault/platform';
import type { ListDeletionsQuery, MemoryDeletionView, Page } from '@evalvault/service-apis';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import { DELETIONS_CURSOR, decodeCursor, pageSize } from './memory-cursor.js';

interface DeletionRow {
  request_id: string;
  target: MemoryDeletionView['target'];
  matched: number;
  entries: unknown[];
  requested_by: string | null;
  requested_at: Date;
}

/** A project's deletion requests, newest first; the hash of what was asked for stays in the read model. */
export async function listDeletionRequests(
  dataSource: DataSource,
  scope: Scope,
  query: ListDeletionsQuery,
): Promise<Page<MemoryDeletionView>> {
  const limit = pageSize(query.limit);
  const before = query.cursor ? decodeCursor(DELETIONS_CURSOR, query.cursor) : null;
  const rows: DeletionRow[] = await dataSource.query(
    `SELECT request_id, target, matched, entries, requested_by, requested_at FROM ${S}.deletion_requests
      WHERE tenant_id = $1 AND project_id = $2
        AND ($3::timestamptz IS NULL OR (requested_at, request_id) < ($3, $4))
      ORDER BY requested_at DESC, request_id DESC LIMIT ${limit + 1}`,
    [scope.tenantId, scope.projectId, before?.at ?? null, before?.id ?? ''],
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(deletionView),
    nextCursor:
      rows.length > limit && last
        ? DELETIONS_CURSOR.encode({ at: last.requested_at.toISOString(), id: last.request_id })
        : null,
  };
}

function deletionView(row: DeletionRow): MemoryDeletionView {
  return {
    requestId: row.request_id,
    target: row.target,
    // The summary's entries once it has arrived; until then, what the request matched.
    forgotten: row.entries.length > 0 ? row.entries.length : row.matched,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
  };
}
