import type { Kafka } from 'kafkajs';

/**
 * "Start at the end" for a consumer group that has never committed: commit the current
 * end offsets before the first member consumes. Left to the client, `latest` is resolved
 * lazily per partition by each member, so a message produced between a member joining and
 * its first fetch of a partition — or a partition a crashed member never committed — would be
 * skipped. Pinned once, every member starts from the same committed position.
 */
export async function pinNewGroupToEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const missing = (committed?.partitions ?? []).filter((partition) => partition.offset === '-1');
      if (missing.length === 0) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      const endOf = (partition: number): string => ends.find((end) => end.partition === partition)?.offset ?? '0';
      try {
        await admin.setOffsets({ groupId, topic, partitions: missing.map(({ partition }) => ({ partition, offset: endOf(partition) })) });
      } catch {
        // The group already has running members: one of them pinned (or consumes) these partitions.
      }
    }
  } finally {
    await admin.disconnect();
  }
}
