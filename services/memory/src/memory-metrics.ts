import { Counter, Histogram, type Registry } from 'prom-client';

export interface MemoryMetrics {
  /** memory_events_total{type}: memory events this service appended (FactProposed, FactForgotten, …). */
  events: Counter<'type'>;
  /** memory_runs_formed_total{outcome=formed|skipped|failed}. */
  runsFormed: Counter<'outcome'>;
  /** memory_formation_duration_seconds: forming memory from one completed run. */
  formationDuration: Histogram;
  /** memory_maintenance_passes_total{trigger=schedule|request, outcome=done|failed}. */
  maintenancePasses: Counter<'trigger' | 'outcome'>;
  /** memory_entries_forgotten_total{kind=fact|behaviour, reason}. */
  forgotten: Counter<'kind' | 'reason'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/** Domain Memory's Prometheus metrics, on the service's registry (its /metrics). */
export function memoryMetrics(registry: Registry): MemoryMetrics {
  return {
    events: counter(registry, 'memory_events_total', 'Memory events appended, by type.', ['type']),
    runsFormed: counter(registry, 'memory_runs_formed_total', 'Completed runs memory formed from.', ['outcome']),
    formationDuration:
      (registry.getSingleMetric('memory_formation_duration_seconds') as Histogram | undefined) ??
      new Histogram({
        name: 'memory_formation_duration_seconds',
        help: 'Time forming memory from one completed run took.',
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      }),
    maintenancePasses: counter(registry, 'memory_maintenance_passes_total', 'Memory maintenance passes.', [
      'trigger',
      'outcome',
    ]),
    forgotten: counter(registry, 'memory_entries_forgotten_total', 'Memory entries forgotten, by kind and reason.', [
      'kind',
      'reason',
    ]),
  };
}
