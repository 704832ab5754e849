import type pg from 'pg';
import type { Logger } from 'pino';
import type { AuditReplayReport } from '@evalvault/service-apis';

export interface ChainVerification {
  verified: string[];
  /** Tenants whose chain did not verify (or whose replay failed), with why. */
  failed: { tenantId: string; reason: string }[];
}

/**
 * Replays every tenant's chain (or only the tenants named) against the event store, one tenant
 * at a time. The audit service runs it on a timer (AUDIT_VERIFY_INTERVAL_MS, daily by default):
 * the SLO "the audit chain is verified daily" rests on it, and each replay is counted
 * (audit_replays_total by outcome) for the alerts on a mismatch or on no verification for a day.
 */
export async function verifyAllChains(
  pool: pg.Pool,
  replay: { replay(tenantId: string): Promise<AuditReplayReport> },
  logger: Logger,
  only: readonly string[] | null = null,
): Promise<ChainVerification> {
  const { rows } = await pool.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM audit.chain_heads WHERE $1::text[] IS NULL OR tenant_id = ANY($1) ORDER BY 1`,
    [only],
  );
  const result: ChainVerification = { verified: [], failed: [] };
  for (const { tenant_id: tenantId } of rows) {
    try {
      const report = await replay.replay(tenantId);
      if (report.status === 'verified') result.verified.push(tenantId);
      else result.failed.push({ tenantId, reason: report.firstDifference?.message ?? report.status });
    } catch (error) {
      result.failed.push({ tenantId, reason: (error as Error).message });
    }
  }
  for (const failure of result.failed) logger.error(failure, 'audit chain did not verify against the event store');
  logger.info({ verified: result.verified.length, failed: result.failed.length }, 'audit chains verified');
  return result;
}
