import type { EvalVaultEvent, RunRequested } from '@evalvault/contracts';
import { evaluatedCases } from '@evalvault/contracts';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Runs of fewer cases than this are the ones the time-to-verdict SLO promises a p95 for. */
export const SMALL_RUN_CASES = 1_000;

/**
 * The runs service's series. Labels are bounded: outcomes, verdicts, the machine-readable failure
 * reason (budget, dataset_unreadable, judge_changed, plugin_changed, provider_unavailable, internal) and a size
 * class; never a run, tenant or project id (one series per tenant would grow without bound).
 */
export interface RunMetrics {
  requested: Counter;
  runs: Counter<'outcome' | 'reason'>;
  verdicts: Counter<'verdict'>;
  cases: Counter<'outcome'>;
  timeToVerdict: Histogram<'size'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export function runMetrics(registry: Registry): RunMetrics {
  return {
    requested: counter(registry, 'eval_runs_requested_total', 'Evaluation runs submitted.', []),
    runs: counter(
      registry,
      'eval_runs_total',
      'Evaluation runs ended, by outcome (completed, failed, cancelled) and, for failed ones, reason.',
      ['outcome', 'reason'],
    ),
    verdicts: counter(registry, 'eval_gate_verdicts_total', 'Quality gate verdicts, by verdict.', ['verdict']),
    cases: counter(registry, 'eval_cases_total', 'Cases recorded, by outcome (evaluated, failed).', ['outcome']),
    timeToVerdict:
      (registry.getSingleMetric('eval_time_to_verdict_seconds') as Histogram<'size'> | undefined) ??
      new Histogram({
        name: 'eval_time_to_verdict_seconds',
        help: `Time from a run's submission to its gate verdict, by size (lt_${SMALL_RUN_CASES} or ge_… cases).`,
        labelNames: ['size'],
        buckets: [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400],
        registers: [registry],
      }),
  };
}

/**
 * Counts what a run's stream just gained. Called with the events of one successful append, so
 * each is counted once however many workers raced to record it.
 */
export async function observeRunEvents(
  metrics: RunMetrics,
  events: readonly EvalVaultEvent[],
  run: { totalCases: number | null; requestOf: () => Promise<RunRequested | null> },
): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'RunRequested':
        metrics.requested.inc();
        break;
      case 'CaseEvaluated':
        metrics.cases.inc({ outcome: 'evaluated' }, evaluatedCases(event.payload).length);
        break;
      case 'CaseFailed':
        metrics.cases.inc({ outcome: 'failed' });
        break;
      case 'RunCompleted':
        metrics.runs.inc({ outcome: 'completed', reason: 'none' });
        break;
      case 'RunFailed':
        metrics.runs.inc({ outcome: 'failed', reason: event.payload.reason });
        break;
      case 'RunCancelled':
        // The reason is the canceller's free text: not a label.
        metrics.runs.inc({ outcome: 'cancelled', reason: 'none' });
        break;
      case 'GatePassed':
      case 'GateFailed': {
        metrics.verdicts.inc({ verdict: event.type === 'GatePassed' ? 'passed' : 'failed' });
        const requested = await run.requestOf();
        if (!requested) break;
        const size = (run.totalCases ?? 0) < SMALL_RUN_CASES ? `lt_${SMALL_RUN_CASES}` : `ge_${SMALL_RUN_CASES}`;
        metrics.timeToVerdict.observe({ size }, Math.max(0, event.occurredAt - requested.occurredAt) / 1000);
        break;
      }
      default:
        break;
    }
  }
}
