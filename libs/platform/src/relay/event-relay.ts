import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EvalVaultEvent } from '@evalvault/contracts';
import {
  formatPosition,
  START,
  type EventFilter,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '../event-store/event-store.port.js';
import type { ReadinessCheck } from '../observability/health.js';
import { LoopHealth } from '../resilience/loop-health.js';
import { SupervisedLoop, type RestartPolicy, type RunningLoop } from '../resilience/supervised-loop.js';
import type { CheckpointStore } from './checkpoint-store.js';

/** Anything events can be published to: the Kafka client, or the in-process one. */
export interface EventPublisher {
  /** `encoded[i]`, when given, is `events[i]` already encoded: sent as it is instead of encoding it again. */
  publishBatch(events: readonly EvalVaultEvent[], encoded?: readonly (Buffer | undefined)[]): Promise<void>;
}

export interface EventRelayOptions {
  /** Names the checkpoint; one relay per name at a time. */
  name: string;
  /** Which streams this relay publishes, e.g. the ones its service owns. */
  filter?: EventFilter;
  batchSize?: number;
  /** Where a relay without a checkpoint starts; default the beginning of the log (nothing is skipped). */
  startWhenNew?: () => Promise<GlobalPosition>;
  logger: Logger;
  registry: Registry;
  /** Backoff between restarts after a failure (broker or database down); default 0.5 s doubling to 15 s. */
  restartPolicy?: RestartPolicy;
}

/**
 * Publishes the store's global log to the bus in order: a batch is published, then
 * its last position is saved as the checkpoint. A crash between the two republishes
 * that batch on restart (at least once; consumers de-duplicate on eventId) and never
 * skips one. The publisher keeps per-key order (Kafka: idempotent producer). When the
 * broker or the database fails, the relay restarts itself from its checkpoint with backoff,
 * and its readiness check fails until it has caught up again.
 */
export class EventRelay {
  private loop?: SupervisedLoop;
  private readonly health: LoopHealth;
  private readonly published: Counter<'relay'>;
  private readonly lag: Gauge<'relay'>;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly checkpoints: CheckpointStore,
    private readonly options: EventRelayOptions,
  ) {
    this.published = counter(options.registry);
    this.lag = lagGauge(options.registry);
    this.health = new LoopHealth(`relay:${options.name}`, options.registry);
  }

  /** For /readyz: fails while the relay cannot publish (after a failure, until it has caught up). */
  get readiness(): ReadinessCheck {
    return this.health.readiness;
  }

  async start(): Promise<void> {
    const { logger, restartPolicy } = this.options;
    this.loop = new SupervisedLoop({
      health: this.health,
      logger,
      policy: restartPolicy,
      start: (failed) => this.follow(failed),
    });
    await this.loop.start();
  }

  /** One incarnation: follows the log from the checkpoint until stopped or an error stops it. */
  private async follow(failed: (error: Error) => void): Promise<RunningLoop> {
    const from = (await this.checkpoints.load(this.checkpointName)) ?? (await this.options.startWhenNew?.()) ?? START;
    this.options.logger.info({ relay: this.options.name, from: formatPosition(from) }, 'relay starting');
    return this.store.subscribeAll(from, {
      filter: this.options.filter,
      batchSize: this.options.batchSize,
      batchHandler: (batch) => this.relay(batch),
      onError: (error) => {
        this.failedOnce(error);
        failed(error);
      },
    });
  }

  private failedOnce: (error: Error) => void = () => undefined;

  /** Resolves with the relay's first failure (it restarts itself after it): for tests and benchmarks. */
  readonly failure: Promise<Error> = new Promise((resolve) => {
    this.failedOnce = resolve;
  });

  private get checkpointName(): string {
    return `relay:${this.options.name}`;
  }

  private async relay(batch: RecordedEvent[]): Promise<void> {
    await this.publisher.publishBatch(
      batch.map((recorded) => recorded.event),
      batch.map((recorded) => recorded.data),
    );
    const last = batch.at(-1)!;
    await this.checkpoints.save(this.checkpointName, last.position);
    this.published.inc({ relay: this.options.name }, batch.length);
    this.lag.set({ relay: this.options.name }, Math.max(0, (Date.now() - last.event.occurredAt) / 1000));
  }

  caughtUp(): Promise<void> {
    return this.loop?.caughtUp() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}

function counter(registry: Registry): Counter<'relay'> {
  return (
    (registry.getSingleMetric('relay_events_published_total') as Counter<'relay'> | undefined) ??
    new Counter({
      name: 'relay_events_published_total',
      help: 'Events the relay published to the bus.',
      labelNames: ['relay'],
      registers: [registry],
    })
  );
}

function lagGauge(registry: Registry): Gauge<'relay'> {
  return (
    (registry.getSingleMetric('relay_lag_seconds') as Gauge<'relay'> | undefined) ??
    new Gauge({
      name: 'relay_lag_seconds',
      help: 'Age of the last event the relay published when it published it.',
      labelNames: ['relay'],
      registers: [registry],
    })
  );
}
