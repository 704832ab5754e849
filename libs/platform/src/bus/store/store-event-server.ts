import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { EVENT_TYPES, EventCodec, topicOf, type EventType } from '@evalvault/contracts';
import type { EventStore, GlobalPosition } from '../../event-store/event-store.port.js';
import { formatPosition, START } from '../../event-store/event-store.port.js';
import type { ReadinessCheck } from '../../observability/health.js';
import type { CheckpointStore } from '../../relay/checkpoint-store.js';
import { LoopHealth } from '../../resilience/loop-health.js';
import { SupervisedLoop, type RunningLoop } from '../../resilience/supervised-loop.js';
import { eventHeaders } from '../event-headers.js';
import { processorDeps, type EventServerOptions } from '../event-server-options.js';
import { processMessage, type DeadLetter } from '../message-processor.js';

export interface StoreEventServerOptions extends EventServerOptions {
  store: EventStore;
  /** Where the group remembers the last event it finished with. */
  checkpoints: CheckpointStore;
  /** Where messages that keep failing go; the embedded platform logs and keeps them. */
  deadLetter: (letter: DeadLetter) => Promise<void>;
  /** Where a group without a checkpoint starts; default the beginning of the log. */
  startWhenNew?: () => Promise<GlobalPosition>;
}

/**
 * A consumer group that follows the event store itself instead of a broker: the embedded
 * platform's bus. Each group reads the global log from its own checkpoint, in commit order,
 * and hands every event of a type it handles to the same message processor as the Kafka and
 * in-process servers (same decoding, retries, dead letters, metrics), then saves its position.
 * Nothing is held in memory between restarts: a group resumes where it stopped, so an
 * acknowledged write is processed even if the process stopped right after it. A crash between
 * handling and checkpointing redelivers one event, which the consumers' inboxes absorb. If
 * the database fails under it, the group restarts from its checkpoint with backoff.
 */
export class StoreEventServer extends Server implements CustomTransportStrategy {
  private loop?: SupervisedLoop;
  private readonly codec: EventCodec;
  private readonly health: LoopHealth;

  constructor(private readonly options: StoreEventServerOptions) {
    super();
    if (options.transportId) this.transportId = options.transportId;
    this.codec = options.codec ?? new EventCodec();
    this.health = new LoopHealth(`consumer:${options.groupId}`, options.registry);
  }

  /** For /readyz: fails while the group cannot make progress. */
  get readiness(): ReadinessCheck {
    return this.health.readiness;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  /** Resolves when the group has handled every event committed before the call (tests, shutdown). */
  caughtUp(): Promise<void> {
    return this.loop?.caughtUp() ?? Promise.resolve();
  }

  private async start(): Promise<void> {
    this.loop = new SupervisedLoop({
      health: this.health,
      logger: this.options.logger,
      start: (failed) => this.follow(failed),
    });
    await this.loop.start();
  }

  /** One incarnation: follows the log from the group's checkpoint until stopped or an error stops it. */
  private async follow(failed: (error: Error) => void): Promise<RunningLoop> {
    const { store, checkpoints, groupId, logger } = this.options;
    const known = new Set<string>(EVENT_TYPES);
    const eventTypes = [...this.messageHandlers.keys()].filter((pattern): pattern is EventType => known.has(pattern));
    const checkpoint = `consumer:${groupId}`;
    // By default a new group starts at the beginning of the log: the embedded store holds only this
    // installation's history.
    const from: GlobalPosition = (await checkpoints.load(checkpoint)) ?? (await this.options.startWhenNew?.()) ?? START;
    const deps = processorDeps(
      this.options,
      (eventType) => this.getHandlerByPattern(eventType),
      this.options.deadLetter,
    );
    logger.debug({ group: groupId, from: formatPosition(from), eventTypes }, 'store consumer starting');
    return store.subscribeAll(from, {
      filter: { eventTypes },
      handler: async (recorded) => {
        const { event } = recorded;
        const message = {
          topic: topicOf(event.type),
          partition: 0,
          offset: formatPosition(recorded.position),
          key: event.streamId,
          value: this.codec.encode(event),
          headers: eventHeaders(event),
        };
        await processMessage(message, deps);
        await checkpoints.save(checkpoint, recorded.position);
      },
      onError: (error) => failed(error),
    });
  }

  on(): never {
    throw new Error('StoreEventServer has no status events to subscribe to');
  }

  unwrap<T>(): T {
    return this.options.store as T;
  }

  async close(): Promise<void> {
    await this.loop?.stop();
  }
}
