import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The bus's Prometheus series, registered once per registry. */
export interface BusMetrics {
  handlerDuration: Histogram<'group' | 'event_type' | 'outcome'>;
  deadLettered: Counter<'group' | 'topic' | 'reason'>;
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  published: Counter<'topic'>;
}

const cache = new WeakMap<Registry, BusMetrics>();

export function busMetrics(registry: Registry): BusMetrics {
  let metrics = cache.get(registry);
  if (!metrics) {
    metrics = {
      handlerDuration: new Histogram({
        name: 'bus_handler_duration_seconds',
        help: 'Time spent in event handlers, per attempt.',
        labelNames: ['group', 'event_type', 'outcome'],
        registers: [registry],
      }),
      deadLettered: new Counter({
        name: 'bus_dead_lettered_total',
        help: 'Messages sent to a dead-letter topic.',
        labelNames: ['group', 'topic', 'reason'],
        registers: [registry],
      }),
      consumerLag: new Gauge({
        name: 'consumer_lag',
        help: 'Messages behind the end of the partition, per consumer group.',
        labelNames: ['group', 'topic', 'partition'],
        registers: [registry],
      }),
      published: new Counter({
        name: 'bus_published_total',
        help: 'Events published to the bus.',
        labelNames: ['topic'],
        registers: [registry],
      }),
    };
    cache.set(registry, metrics);
  }
  return metrics;
}
