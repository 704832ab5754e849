import type { Logger } from 'pino';
import type { Counter, Gauge, Registry } from 'prom-client';
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
import { relayMetrics } from './relay-metrics.js';

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
  /**
   * Counts the events after a position that this relay would publish, up to a limit: its outbox
   * depth (relay_outbox_events). Without it the relay reports no depth.
   */
  countPending?: (from: GlobalPosition, filter: EventFilter | undefined, limit: number) => Promise<number>;
  /**
   * How long a published position may wait before it is saved as the checkpoint (default
   * CHECKPOINT_INTERVAL_MS; 0 saves after every batch). Also the bound on what a crash republishes.
   */
  checkpointIntervalMs?: number;
}

/**
 * A busy relay saves its checkpoint at most once a second rather than after every batch: the save
 * was a database round trip per batch on the relay's critical path. What a crash republishes grows
 * from one batch to what was published in the last second (at least once either way; consumers
 * de-duplicate on eventId). An idle relay saves within this time of its last publish.
 */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * Publishes the store's global log to the bus in order: a batch is published, then
 * its last position becomes the checkpoint, saved at most once per checkpoint interval
 * (and at a stop, and after a failed publish). A crash republishes on restart what was
 * published since the last save (at least once; consumers de-duplicate on eventId) and never
 * skips an event. The publisher keeps per-key order (Kafka: idempotent producer). When the
 * broker or the database fails, the relay restarts itself from its checkpoint with backoff,
 * and its readiness check fails until it has caught up again.
 */
export class EventRelay {
  private loop?: SupervisedLoop;
  private readonly health: LoopHealth;
  private readonly published: Counter<'relay'>;
  private readonly lag: Gauge<'relay'>;
  /** The last position published (or the checkpoint started from); null before the relay started. */
  private position: GlobalPosition | null = null;
  private readonly unwatchOutbox: () => void = () => undefined;
  private readonly checkpointEveryMs: number;
  /** The last position saved (or being saved) as the checkpoint, and when that save began. */
  private savedPosition: GlobalPosition | null = null;
  private savedAt = 0;
  /** Saves run one after another, so an older position never overwrites a newer one. */
  private saving: Promise<void> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly checkpoints: CheckpointStore,
    private readonly options: EventRelayOptions,
  ) {
    const metrics = relayMetrics(options.registry);
    this.published = metrics.published;
    this.lag = metrics.lag;
    const { countPending } = options;
    if (countPending) {
      this.unwatchOutbox = metrics.watchOutbox({
        name: options.name,
        pendingEvents: async (limit) =>
          this.position === null ? null : countPending(this.position, options.filter, limit),
      });
    }
    this.health = new LoopHealth(`relay:${options.name}`, options.registry);
    this.checkpointEveryMs = options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS;
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
    this.position = from;
    this.savedPosition = from;
    return this.store.subscribeAll(from, {
      filter: this.options.filter,
      batchSize: this.options.batchSize,
      decodeAhead: true, // every event is published: decode the next batch while this one is
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
    try {
      await this.publisher.publishBatch(
        batch.map((recorded) => recorded.event),
        batch.map((recorded) => recorded.data),
      );
    } catch (error) {
      // What was published before this batch is kept, so the restart republishes as little as it can.
      await this.saveCheckpoint().catch(() => undefined);
      throw error;
    }
    const last = batch.at(-1)!;
    this.position = last.position;
    this.published.inc({ relay: this.options.name }, batch.length);
    this.lag.set({ relay: this.options.name }, Math.max(0, (Date.now() - last.event.occurredAt) / 1000));
    if (Date.now() - this.savedAt >= this.checkpointEveryMs) await this.saveCheckpoint();
    else this.saveLater();
  }

  /** An idle relay still saves what it published last, within the interval. */
  private saveLater(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.saveCheckpoint().catch(() => undefined), this.checkpointEveryMs);
    this.saveTimer.unref();
  }

  /** Saves the last published position unless it is saved already; a failure is the caller's (the relay restarts). */
  private saveCheckpoint(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const position = this.position;
    if (position === null || position === this.savedPosition) return this.saving;
    this.savedPosition = position;
    this.savedAt = Date.now();
    const save = this.saving.then(() => this.checkpoints.save(this.checkpointName, position));
    this.saving = save.catch((error: unknown) => {
      this.savedPosition = null; // not saved: the next call tries again
      this.options.logger.warn({ err: error, relay: this.options.name }, 'relay checkpoint not saved');
    });
    return save;
  }

  caughtUp(): Promise<void> {
    return this.loop?.caughtUp() ?? Promise.resolve();
  }

  /** Stops following the log, then saves what was published since the last checkpoint. */
  async stop(): Promise<void> {
    this.unwatchOutbox();
    await this.loop?.stop();
    await this.saveCheckpoint().catch(() => undefined); // logged; the next start republishes from the older one
  }
}
