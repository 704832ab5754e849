import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** One Prometheus registry per service, with process metrics and a `service` label on every series. */
export function createMetricsRegistry(serviceName: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** eventstore_events_appended_total on a registry, created once. */
export function appendedEventsCounter(registry: Registry): Counter {
  return (
    (registry.getSingleMetric('eventstore_events_appended_total') as Counter | undefined) ??
    new Counter({
      name: 'eventstore_events_appended_total',
      help: 'Events appended to the event store.',
      registers: [registry],
    })
  );
}
