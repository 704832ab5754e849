import { Counter, Histogram, type Registry } from 'prom-client';

export interface DeliveryMetrics {
  outcomes: Counter<'destination' | 'outcome'>;
  duration: Histogram<'destination' | 'outcome'>;
  /** From the notification's intent (recorded when its trigger was consumed) to its delivery. */
  latency: Histogram<'destination'>;
}

/** notifications_total{destination, outcome=delivered|retry|failed} and the time one attempt takes. */
export function deliveryMetrics(registry: Registry): DeliveryMetrics {
  const existing = registry.getSingleMetric('notifications_total') as Counter<'destination' | 'outcome'> | undefined;
  return {
    outcomes:
      existing ??
      new Counter({
        name: 'notifications_total',
        help: 'Notification delivery attempts by outcome.',
        labelNames: ['destination', 'outcome'],
        registers: [registry],
      }),
    duration:
      (registry.getSingleMetric('notification_attempt_duration_seconds') as
        | Histogram<'destination' | 'outcome'>
        | undefined) ??
      new Histogram({
        name: 'notification_attempt_duration_seconds',
        help: 'Time one delivery attempt took.',
        labelNames: ['destination', 'outcome'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    latency:
      (registry.getSingleMetric('notification_delivery_latency_seconds') as Histogram<'destination'> | undefined) ??
      new Histogram({
        name: 'notification_delivery_latency_seconds',
        help: 'Time from a notification being intended (its trigger consumed) to its delivery, retries included.',
        labelNames: ['destination'],
        // 300 s is the SLO's bound: a bucket must end there.
        buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21_600],
        registers: [registry],
      }),
  };
}
