import { canonicalJson, chainHash, GENESIS_HASH, type CanonicalEntry } from './canonical.js';
import { indexOf } from './entry-index.js';
import type { Sql } from './sql.js';

/**
 * Appends an entry to its tenant's chain inside the caller's transaction. The tenant's
 * chain head row is locked first, so concurrent consumers chain a tenant's entries one
 * after another (seq without gaps, each prev_hash the hash before it) while different
 * tenants never wait for each other.
 */
export async function appendEntry(sql: Sql, entry: CanonicalEntry): Promise<{ seq: number; hash: string }> {
  await sql(
    `INSERT INTO audit.chain_heads (tenant_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (tenant_id) DO NOTHING`,
    [entry.tenantId, GENESIS_HASH],
  );
  const [head] = await sql<{ seq: string; hash: string }>(
    `SELECT seq::text AS seq, hash FROM audit.chain_heads WHERE tenant_id = $1 FOR UPDATE`,
    [entry.tenantId],
  );
  const seq = Number(head!.seq) + 1;
  const canonical = canonicalJson(entry);
  const hash = chainHash(head!.hash, canonical);
  const index = indexOf(entry);
  await sql(
    `INSERT INTO audit.entries (tenant_id, seq, event_id, project_id, action, occurred_at, actor_pseudonym,
       target_pseudonym, resource_keys, outcome, canonical, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      entry.tenantId,
      seq,
      entry.eventId,
      index.project_id,
      index.action,
      index.occurred_at,
      index.actor_pseudonym,
      index.target_pseudonym,
      index.resource_keys,
      index.outcome,
      canonical,
      head!.hash,
      hash,
    ],
  );
  await sql(`UPDATE audit.chain_heads SET seq = $2, hash = $3 WHERE tenant_id = $1`, [entry.tenantId, seq, hash]);
  return { seq, hash };
}
