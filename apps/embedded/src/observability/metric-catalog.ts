import type { Registry } from 'prom-client';
import {
  appendMetrics,
  busMetrics,
  createMetricsRegistry,
  httpMetrics,
  LoopHealth,
  relayMetrics,
  secretReadFailures,
} from '@evalvault/platform';
import { llmMetrics } from '@evalvault/llm';
import { replayMetrics } from '@evalvault/service-audit';
import { memoryMetrics } from '@evalvault/service-memory';
import { deliveryMetrics } from '@evalvault/service-notifier';
import { runMetrics } from '@evalvault/service-runs';

/**
 * One registry with every series the platform's code registers, by the same factories the services
 * call: what infra/observability's rules and dashboards may name (docs/operations.md lists them).
 */
export function everyPlatformMetric(): Registry {
  const registry = createMetricsRegistry('catalog');
  httpMetrics(registry);
  appendMetrics(registry);
  busMetrics(registry);
  relayMetrics(registry);
  secretReadFailures(registry);
  new LoopHealth('catalog', registry);
  llmMetrics(registry);
  runMetrics(registry);
  deliveryMetrics(registry);
  replayMetrics(registry);
  memoryMetrics(registry);
  return registry;
}

/** Names of the series a scrape shows: histograms as _bucket, _sum and _count, the others as named. */
export async function scrapedMetricNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else names.add(metric.name);
  }
  return names;
}
