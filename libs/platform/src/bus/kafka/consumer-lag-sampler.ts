import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { BusMetrics } from '../bus-metrics.js';

const DEFAULT_INTERVAL_MS = 15_000;

/**
 * consumer_lag from the broker's own numbers, sampled: for each group, the end of every partition it
 * has committed offsets on minus its committed offset. Consumers also set the gauge after each batch,
 * but a stalled consumer fetches no batch: without sampling its lag would freeze at the last value.
 */
export class ConsumerLagSampler {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly admin: Admin,
    private readonly groups: () => readonly string[],
    private readonly metrics: BusMetrics,
    private readonly logger: Logger,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sampleOnce().catch((error: unknown) => this.logger.warn({ err: error }, 'consumer lag not sampled'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One sample of every group's lag (tests call it directly). */
  async sampleOnce(): Promise<void> {
    for (const groupId of this.groups()) {
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId })) {
        const ends = new Map((await this.admin.fetchTopicOffsets(topic)).map((end) => [end.partition, end] as const));
        for (const { partition, offset } of partitions) {
          const end = ends.get(partition);
          if (!end) continue;
          const committed = Number(offset);
          // No commit yet on this partition: everything retained is still to be read.
          const lag = committed < 0 ? Number(end.high) - Number(end.low) : Number(end.high) - committed;
          this.metrics.consumerLag.set({ group: groupId, topic, partition: String(partition) }, Math.max(0, lag));
        }
      }
    }
  }
}
