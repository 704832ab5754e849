import { Counter, Gauge, type Registry } from 'prom-client';

/** Outbox depth is counted up to this: beyond it the relay is far behind, and the exact number does not matter. */
export const OUTBOX_COUNT_LIMIT = 10_000;

/** A relay as its outbox gauge sees it: how many of its events wait, or null before it has a position. */
export interface OutboxSource {
  readonly name: string;
  pendingEvents(limit: number): Promise<number | null>;
}

export interface RelayMetrics {
  published: Counter<'relay'>;
  lag: Gauge<'relay'>;
  /** Register a relay with the outbox gauge; the returned function unregisters it. */
  watchOutbox(source: OutboxSource): () => void;
}

const outboxes = new WeakMap<Registry, Set<OutboxSource>>();

/**
 * The relay's series on a registry, created once per registry: events published, the age of the
 * last one when published (lag), and the outbox depth, counted in the store when Prometheus scrapes.
 */
export function relayMetrics(registry: Registry): RelayMetrics {
  let sources = outboxes.get(registry);
  if (!sources) {
    const watched = new Set<OutboxSource>();
    sources = watched;
    outboxes.set(registry, watched);
    new Gauge({
      name: 'relay_outbox_events',
      help: `Events in the store the relay has not published yet (outbox depth), counted up to ${OUTBOX_COUNT_LIMIT}.`,
      labelNames: ['relay'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const source of watched) {
          const pending = await source.pendingEvents(OUTBOX_COUNT_LIMIT).catch(() => null);
          if (pending !== null) this.set({ relay: source.name }, pending);
        }
      },
    });
  }
  const watchedSources = sources;
  return {
    published:
      (registry.getSingleMetric('relay_events_published_total') as Counter<'relay'> | undefined) ??
      new Counter({
        name: 'relay_events_published_total',
        help: 'Events the relay published to the bus.',
        labelNames: ['relay'],
        registers: [registry],
      }),
    lag:
      (registry.getSingleMetric('relay_lag_seconds') as Gauge<'relay'> | undefined) ??
      new Gauge({
        name: 'relay_lag_seconds',
        help: 'Age of the last event the relay published when it published it.',
        labelNames: ['relay'],
        registers: [registry],
      }),
    watchOutbox(source) {
      watchedSources.add(source);
      return () => watchedSources.delete(source);
    },
  };
}
