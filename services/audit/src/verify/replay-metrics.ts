import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * audit_replays_total{outcome=verified|mismatch|error} and audit_chain_last_verified_timestamp_seconds:
 * the SLO "the audit chain is verified daily" reads the gauge. Per service, not per tenant (unbounded).
 */
export interface ReplayMetrics {
  replays: Counter<'outcome'>;
  lastVerified: Gauge;
}

export function replayMetrics(registry: Registry): ReplayMetrics {
  return {
    replays:
      (registry.getSingleMetric('audit_replays_total') as Counter<'outcome'> | undefined) ??
      new Counter({
        name: 'audit_replays_total',
        help: 'Audit chain replays against the event store, by outcome (verified, mismatch, error).',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    lastVerified:
      (registry.getSingleMetric('audit_chain_last_verified_timestamp_seconds') as Gauge | undefined) ??
      new Gauge({
        name: 'audit_chain_last_verified_timestamp_seconds',
        help: 'When an audit chain replay last ended verified (Unix time).',
        registers: [registry],
      }),
  };
}

/** Counts every replay `replay` makes from now on by outcome, and when one last ended verified. */
export function countReplays<Report extends { status: string }>(
  replay: { replay(tenantId: string): Promise<Report> },
  metrics: ReplayMetrics,
): void {
  const unmetered = replay.replay.bind(replay);
  replay.replay = async (tenantId) => {
    const report = await unmetered(tenantId).catch((error: unknown) => {
      metrics.replays.inc({ outcome: 'error' });
      throw error;
    });
    metrics.replays.inc({ outcome: report.status });
    if (report.status === 'verified') metrics.lastVerified.setToCurrentTime();
    return report;
  };
}
