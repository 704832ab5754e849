import { collectDefaultMetrics, Registry } from 'prom-client';

/** One Prometheus registry per service, with process metrics and a `service` label on every series. */
export function createMetricsRegistry(serviceName: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics({ register: registry });
  return registry;
}
