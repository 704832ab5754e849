import { Counter, Histogram, type Registry } from 'prom-client';
import { WrongExpectedRevisionError } from './event-store.errors.js';

/** What an event store adapter measures about its appends; both adapters take it as an option. */
export interface AppendMetrics {
  /** eventstore_events_appended_total: events (not appends) written. */
  appended: Counter;
  /** eventstore_append_duration_seconds{store, outcome=ok|conflict|error}: one append call. */
  duration: Histogram<'store' | 'outcome'>;
}

export type EventStoreKind = 'postgres' | 'eventstoredb';

/** The append metrics on a registry, created once per registry. */
export function appendMetrics(registry: Registry): AppendMetrics {
  return {
    appended:
      (registry.getSingleMetric('eventstore_events_appended_total') as Counter | undefined) ??
      new Counter({
        name: 'eventstore_events_appended_total',
        help: 'Events appended to the event store.',
        registers: [registry],
      }),
    duration:
      (registry.getSingleMetric('eventstore_append_duration_seconds') as AppendMetrics['duration'] | undefined) ??
      new Histogram({
        name: 'eventstore_append_duration_seconds',
        help: 'Time one append to the event store took, by store and outcome (ok, conflict, error).',
        labelNames: ['store', 'outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      }),
  };
}

/** Times `append` into the histogram and counts its events when it succeeds; without metrics, just runs it. */
export async function measuredAppend<T>(
  metrics: AppendMetrics | undefined,
  store: EventStoreKind,
  eventCount: number,
  append: () => Promise<T>,
): Promise<T> {
  if (!metrics) return append();
  const stop = metrics.duration.startTimer({ store });
  try {
    const result = await append();
    stop({ outcome: 'ok' });
    metrics.appended.inc(eventCount);
    return result;
  } catch (error) {
    stop({ outcome: error instanceof WrongExpectedRevisionError ? 'conflict' : 'error' });
    throw error;
  }
}
