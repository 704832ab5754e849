import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';

/**
 * Reads what a test publishes to a shared topic, from where the topic ended when the test began:
 * never from the beginning, which on a long test run means every other test's events first
 * (hundreds of megabytes on the runs topic) before the few this test is waiting for.
 */
export class TopicReader {
  private consumer?: Consumer;
  /** Messages seen, this test's or not: a timed-out wait says whether anything arrived at all. */
  seen = 0;

  private constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly from: ReadonlyMap<number, string>,
  ) {}

  /** Notes where each partition of `topic` ends now; call it before the test publishes. */
  static async atEnd(kafka: Kafka, topic: string): Promise<TopicReader> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new TopicReader(kafka, topic, new Map(offsets.map(({ partition, high }) => [partition, high])));
    } finally {
      await admin.disconnect();
    }
  }

  /** Consumes from the noted offsets in a group of its own, handing every message to `onMessage`. */
  async start(groupId: string, onMessage: (payload: EachMessagePayload) => void): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    const next = new Map<number, bigint>();
    await this.consumer.run({
      eachMessage: async (payload) => {
        // A seek can make the consumer fetch a range again; a duplicate a test counts must be a
        // second message on the topic, never the same offset read twice.
        const offset = BigInt(payload.message.offset);
        if (offset < (next.get(payload.partition) ?? 0n)) return;
        next.set(payload.partition, offset + 1n);
        this.seen++;
        onMessage(payload);
      },
    });
    // Applied once the partitions are assigned to this consumer.
    for (const [partition, offset] of this.from) this.consumer.seek({ topic: this.topic, partition, offset });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
