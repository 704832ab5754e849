import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadinessCheck } from '../observability/health.js';

/**
 * Whether one long-running loop (a relay, a consumer, a delivery worker) can make progress.
 * /readyz reports it through `readiness`; Prometheus sees `loop_up` and `loop_failures_total`.
 * A loop is up until it fails, and up again once it makes progress after that.
 */
export class LoopHealth {
  private failure: Error | null = null;
  private readonly up: Gauge<'loop'> | null;
  private readonly failures: Counter<'loop'> | null;

  /** Without a registry (tests, tools) it has no metrics. */
  constructor(
    readonly name: string,
    registry?: Registry,
  ) {
    if (!registry) {
      this.up = null;
      this.failures = null;
      return;
    }
    this.up = singleton(
      registry,
      'loop_up',
      () =>
        new Gauge({
          name: 'loop_up',
          help:
            '1 while a long-running loop (relay, consumer, worker) makes progress, ' +
            '0 after it failed until it recovers.',
          labelNames: ['loop'],
          registers: [registry],
        }),
    );
    this.failures = singleton(
      registry,
      'loop_failures_total',
      () =>
        new Counter({
          name: 'loop_failures_total',
          help: 'Failures that stopped a long-running loop (each followed by a restart with backoff).',
          labelNames: ['loop'],
          registers: [registry],
        }),
    );
    this.up.set({ loop: name }, 1);
  }

  failed(error: Error): void {
    this.failure = error;
    this.up?.set({ loop: this.name }, 0);
    this.failures?.inc({ loop: this.name });
  }

  progressed(): void {
    if (!this.failure) return;
    this.failure = null;
    this.up?.set({ loop: this.name }, 1);
  }

  get failing(): Error | null {
    return this.failure;
  }

  /** Fails while the loop cannot make progress, naming it and the error that stopped it. */
  get readiness(): ReadinessCheck {
    return {
      name: this.name,
      check: async () => {
        if (this.failure) throw new Error(`${this.name} cannot make progress: ${this.failure.message}`);
      },
    };
  }
}

function singleton<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
