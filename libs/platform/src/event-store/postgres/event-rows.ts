import type { GlobalPosition, ReadAllOptions, EventFilter } from '../event-store.port.js';

export interface EventRow {
  commit: string;
  sequence: string;
  stream_id: string;
  revision: string;
  data: Buffer;
}

/** LIKE patterns match literally: escape the wildcard characters of a prefix. */
function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (character) => `\\${character}`) + '%';
}

/**
 * The categories (stream id up to its first '-', an indexed column) the prefixes lie in, when every
 * prefix names one ("run-…"): implied by the LIKE, stated so the planner can read only those rows.
 */
function categoriesOf(prefixes: readonly string[]): string[] | null {
  const categories = prefixes.map((prefix) => (prefix.includes('-') ? prefix.slice(0, prefix.indexOf('-')) : null));
  return categories.every((category) => category !== null) ? [...new Set(categories as string[])] : null;
}

/** SQL `AND …` for a filter, appending its values to `params`. */
export function filterClause(filter: EventFilter | undefined, params: unknown[]): string {
  const clauses: string[] = [];
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    params.push(filter.eventTypes);
    clauses.push(`AND event_type = ANY($${params.length}::text[])`);
  }
  if (filter?.tenantId !== undefined) {
    params.push(filter.tenantId);
    clauses.push(`AND tenant_id = $${params.length}`);
  }
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    params.push(filter.streamPrefixes.map(likePrefix));
    clauses.push(`AND stream_id LIKE ANY($${params.length}::text[])`);
    const categories = categoriesOf(filter.streamPrefixes);
    // One category as `=`: an index scan in (commit_id, sequence) order, where `= ANY` makes PostgreSQL 15 sort.
    if (categories?.length === 1) {
      params.push(categories[0]);
      clauses.push(`AND category = $${params.length}`);
    } else if (categories) {
      params.push(categories);
      clauses.push(`AND category = ANY($${params.length}::text[])`);
    }
  }
  return clauses.join(' ');
}

/**
 * The keyset condition of a page. A tenant's page is written as a range of the tenant index's own key,
 * `(tenant_id, commit_id, sequence) > (tenant, cursor) AND tenant_id <= tenant` (the same rows as
 * `tenant_id = tenant AND (commit_id, sequence) > cursor`), and ordered by that key: only that index gives
 * the order, so the plan is an index scan of the tenant's own rows from the cursor. With `tenant_id = …`
 * PostgreSQL could also walk the primary key from the cursor and filter, which its statistics favour for a
 * tenant they know to be large (as if its events were spread evenly through the log; a tenant whose history
 * sits at the end made every page read the whole log before it: 650 ms instead of 12 ms a page).
 */
function keyset(filter: EventFilter | undefined, values: unknown[]): { where: string; orderBy: string } {
  if (filter?.tenantId === undefined)
    return { where: '(commit_id, sequence) > ($1::text::xid8, $2::bigint)', orderBy: 'commit_id, events.sequence' };
  values.push(filter.tenantId);
  const tenant = `$${values.length}`;
  return {
    where: `(tenant_id, commit_id, sequence) > (${tenant}, $1::text::xid8, $2::bigint) AND tenant_id <= ${tenant}`,
    orderBy: 'tenant_id, commit_id, events.sequence',
  };
}

/**
 * The statement `readAll` sends: the events after `from` that pass the filter, in global order, below the
 * oldest running transaction (so none that commits later is passed). Exported so that a benchmark can
 * EXPLAIN exactly what a reader runs (which index, how many rows it reads for the ones it returns).
 */
export function readAllQuery(from: GlobalPosition, options: ReadAllOptions = {}): { text: string; values: unknown[] } {
  const values: unknown[] = [String(from.commit), String(from.sequence), options.maxCount ?? 1_000];
  const { where, orderBy } = keyset(options.filter, values);
  const { tenantId: _inTheKeyset, ...others } = options.filter ?? {};
  const filter = filterClause(others, values);
  const text = `SELECT commit_id::text AS commit, sequence::text AS sequence, stream_id, revision::text AS revision,
              data
         FROM eventstore.events
        WHERE ${where}
          AND commit_id < pg_snapshot_xmin(pg_current_snapshot())
          ${filter}
        ORDER BY ${orderBy}
        LIMIT $3`;
  return { text, values };
}
