import type { Admin } from 'kafkajs';
import { declaredTopics, type TopicSpec } from '@evalvault/contracts';

/**
 * Creates the platform's declared topics (auto-creation is off on our brokers) and
 * grows partitions when a declaration asks for more. Idempotent.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[] = declaredTopics()): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
      })),
    });
  }
  const present = topics.filter((topic) => existing.has(topic.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
    const grow = metadata.topics
      .map((meta) => ({ meta, spec: present.find((topic) => topic.name === meta.name)! }))
      .filter(({ meta, spec }) => meta.partitions.length < spec.partitions)
      .map(({ spec }) => ({ topic: spec.name, count: spec.partitions }));
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
  }
  return missing.map((topic) => topic.name);
}

/** Waits until the cluster answers describeCluster, retrying; never sleeps blindly. */
export async function awaitCluster(
  admin: Admin,
  timeoutMs: number,
): Promise<{ brokers: number; controller: number | null }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (error) {
      lastError = error;
      await admin.disconnect().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(
    `Kafka did not answer describeCluster within ${timeoutMs} ms: ${(lastError as Error)?.message ?? 'no answer'}`,
  );
}
