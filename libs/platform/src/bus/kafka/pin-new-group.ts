import type { Kafka } from 'kafkajs';
import { retryRetriable } from './retry-retriable.js';

const JOIN_TIMEOUT_MS = 30_000;

/**
 * "Start at the end" for a consumer group that has never committed: commit the current
 * end offsets before the first member consumes. Left to the client, `latest` is resolved
 * lazily per partition by each member, so a message produced between a member joining and
 * its first fetch of a partition — or a partition a crashed member never committed — would be
 * skipped. Pinned once, every member starts from the same committed position.
 *
 * kafkajs' admin.setOffsets is not used: it joins a throw-away member subscribed to one topic
 * that fetches from the beginning, and for a group of several topics it left some partitions
 * at old offsets (the group then replayed history, poison messages included). Here one member
 * joins for all the topics, commits the end of every partition without a committed offset
 * while it holds them, and leaves before consuming anything.
 */
export async function pinNewGroupToEnd(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  // A broker that has just started answers "coordinator is loading" for a while: wait that out.
  await retryRetriable(() => pinOnce(kafka, groupId, topics));
}

async function pinOnce(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const unpinned = await unpinnedPartitions(admin, groupId, topics);
    if (unpinned.length === 0) return;
    const {
      groups: [group],
    } = await admin.describeGroups([groupId]);
    // Members of another process consume already: they pinned (or own) these partitions.
    if (group && group.members.length > 0) return;
    const ends = new Map<string, string>();
    for (const topic of topics) {
      for (const end of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${end.partition}`, end.offset);
    }
    await commitWhileHolding(
      kafka,
      groupId,
      topics,
      unpinned.map(({ topic, partition }) => ({ topic, partition, offset: ends.get(`${topic}:${partition}`) ?? '0' })),
    );
    const left = await unpinnedPartitions(admin, groupId, topics);
    if (left.length > 0) {
      throw new Error(
        `consumer group ${groupId}: ` +
          `could not pin ${left.map((p) => `${p.topic}[${p.partition}]`).join(', ')} to the end`,
      );
    }
  } finally {
    await admin.disconnect();
  }
}

type Admin = ReturnType<Kafka['admin']>;
interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

async function unpinnedPartitions(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Array<{ topic: string; partition: number }>> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  return committed.flatMap(({ topic, partitions }) =>
    partitions.filter((p) => p.offset === '-1').map((p) => ({ topic, partition: p.partition })),
  );
}

/** A member that never consumes: paused on every partition, it commits the offsets once it has joined. */
async function commitWhileHolding(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
  offsets: TopicPartitionOffset[],
): Promise<void> {
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    // disconnect() waits for the fetch in flight, and a fetch of paused partitions waits this long for
    // data that never comes: kafkajs' default (5 s) added 5 s to the start of every new group.
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${groupId}: no group join within ${JOIN_TIMEOUT_MS} ms while pinning`)),
        JOIN_TIMEOUT_MS,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets(offsets);
  } finally {
    await consumer.disconnect();
  }
}
