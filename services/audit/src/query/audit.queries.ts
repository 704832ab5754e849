import type pg from 'pg';
import type { AuditExportQuery, AuditPage, AuditQuery } from '@evalvault/service-apis';
import { sqlOfPg } from '../log/sql.js';
import { KeyReader } from '../subjects/sealers.js';
import { pseudonymOf } from '../subjects/subject-cipher.js';
import { SubjectKeys } from '../subjects/subject-keys.js';
import { decodeCursor, encodeCursor, filterClause, pageSize } from './audit-filter.js';
import { viewOf, type EntryRow } from './entry-view.js';
import { csvHeader, csvLine, jsonLine } from './export-format.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
const EXPORT_PAGE = 500;

/** The auditors' reads: one tenant's entries, filtered, in chain order. */
export class AuditQueries {
  private readonly keys: SubjectKeys;

  constructor(private readonly pool: pg.Pool) {
    this.keys = new SubjectKeys(sqlOfPg(pool));
  }

  async list(tenantId: string, query: AuditQuery): Promise<AuditPage> {
    const limit = pageSize(query.limit, DEFAULT_LIMIT, MAX_LIMIT);
    const after = query.cursor === undefined ? 0 : decodeCursor(query.cursor);
    const reader = new KeyReader(this.keys);
    const rows = await this.page(
      tenantId,
      query,
      await this.actorPseudonym(reader, tenantId, query.actor),
      after,
      limit + 1,
    );
    const items = await Promise.all(rows.slice(0, limit).map((row) => viewOf(row, reader)));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.seq) : null };
  }

  /**
   * Every matching entry as JSONL or CSV, produced page by page as the reader pulls: memory
   * holds one page whatever the size of the log. Keys are read per page (a subject forgotten
   * during a long export is unreadable from the next page on).
   */
  async *export(tenantId: string, query: AuditExportQuery): AsyncGenerator<string> {
    const { format, ...filters } = query;
    const actor = await this.actorPseudonym(new KeyReader(this.keys), tenantId, filters.actor);
    if (format === 'csv') yield csvHeader();
    for (let after = 0; ; ) {
      const rows = await this.page(tenantId, filters, actor, after, EXPORT_PAGE);
      const reader = new KeyReader(this.keys);
      for (const row of rows) {
        const view = await viewOf(row, reader);
        yield format === 'csv' ? csvLine(view) : jsonLine(view);
      }
      if (rows.length < EXPORT_PAGE) return;
      after = Number(rows.at(-1)!.seq);
    }
  }

  private async actorPseudonym(reader: KeyReader, tenantId: string, actor: string | undefined): Promise<string | null> {
    if (actor === undefined) return null;
    const tenantKey = await reader.tenantKey(tenantId);
    return tenantKey ? pseudonymOf(tenantKey, actor) : null;
  }

  private async page(
    tenantId: string,
    query: Omit<AuditQuery, 'limit' | 'cursor'>,
    actor: string | null,
    after: number,
    limit: number,
  ): Promise<EntryRow[]> {
    const params: unknown[] = [tenantId, after];
    const filters = filterClause(query, actor, params);
    params.push(limit);
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT seq::text AS seq, canonical, prev_hash, hash FROM audit.entries
        WHERE tenant_id = $1 AND seq > $2${filters} ORDER BY entries.seq LIMIT $${params.length}`,
      params,
    );
    return rows;
  }
}
