import { declaredTopics } from '@evalvault/contracts';
import type { BusMessage } from '../bus-message.js';

type Outgoing = Pick<BusMessage, 'key' | 'value' | 'headers'>;
type Deliver = (message: BusMessage) => Promise<void>;

/**
 * Kafka's delivery semantics in one process, for the embedded mode: declared topics
 * with partitions, key → partition, one committed offset per group and partition, one
 * message at a time per partition (in order per key), asynchronous, and at least
 * once: a delivery that throws is retried until it succeeds or the consumer stops.
 */
export class InProcessBroker {
  private readonly logs = new Map<string, BusMessage[][]>();
  private readonly offsets = new Map<string, number>();
  private readonly activeGroups = new Set<string>();
  private wakers = new Set<() => void>();

  constructor(topics = declaredTopics()) {
    for (const topic of topics)
      this.logs.set(
        topic.name,
        Array.from({ length: topic.partitions }, () => []),
      );
  }

  produce(topic: string, message: Outgoing): BusMessage {
    const partitions = this.partitionsOf(topic);
    const partition = partitionFor(message.key, partitions.length);
    const log = partitions[partition]!;
    const stored: BusMessage = {
      topic,
      partition,
      offset: String(log.length),
      key: message.key,
      value: Buffer.from(message.value),
      headers: { ...message.headers },
    };
    log.push(stored);
    const wakers = this.wakers;
    this.wakers = new Set();
    wakers.forEach((wake) => wake());
    return stored;
  }

  /** Every message of a topic, in partition then offset order (for tests and the DLQ inspector). */
  messages(topic: string): BusMessage[] {
    return this.partitionsOf(topic).flat();
  }

  consume(
    groupId: string,
    topics: readonly string[],
    fromBeginning: boolean,
    deliver: Deliver,
    retryDelayMs = 200,
  ): () => Promise<void> {
    if (this.activeGroups.has(groupId))
      throw new Error(`consumer group ${groupId} already has a member in this process`);
    this.activeGroups.add(groupId);
    let running = true;
    const loops = topics.flatMap((topic) =>
      this.partitionsOf(topic).map((log, partition) => {
        const key = `${groupId}|${topic}|${partition}`;
        if (!this.offsets.has(key)) this.offsets.set(key, fromBeginning ? 0 : log.length);
        return this.partitionLoop(key, log, deliver, () => running, retryDelayMs);
      }),
    );
    return async () => {
      running = false;
      this.wakers.forEach((wake) => wake());
      await Promise.all(loops);
      this.activeGroups.delete(groupId);
    };
  }

  private async partitionLoop(
    key: string,
    log: BusMessage[],
    deliver: Deliver,
    running: () => boolean,
    retryDelayMs: number,
  ): Promise<void> {
    await Promise.resolve(); // asynchronous from the first message on, as a broker is
    while (running()) {
      const offset = this.offsets.get(key)!;
      const message = log[offset];
      if (!message) {
        await new Promise<void>((resolve) => this.wakers.add(resolve));
        continue;
      }
      try {
        await deliver(message);
        this.offsets.set(key, offset + 1);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  private partitionsOf(topic: string): BusMessage[][] {
    const partitions = this.logs.get(topic);
    if (!partitions) throw new Error(`topic ${topic} is not declared (topics are never created implicitly)`);
    return partitions;
  }
}

/** FNV-1a of the key: stable, so a key always lands on the same partition. */
function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
