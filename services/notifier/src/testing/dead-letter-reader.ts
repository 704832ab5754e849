import { deadLetterTopic, EventCodec, topicOf } from '@evalvault/contracts';
import { BUS_HEADERS, createKafka, type KafkaSettings } from '@evalvault/platform';

export interface DeadLetterSeen {
  key: string;
  type: string;
  error: string;
  attempts: string;
}

/** The notifications dead letters with this key written since `since` (a fresh consumer, offsets by time). */
export async function readDeadLetters(
  settings: KafkaSettings,
  since: Date,
  key: string,
  timeoutMs = 10_000,
): Promise<DeadLetterSeen[]> {
  const kafka = createKafka(settings);
  const topic = deadLetterTopic(topicOf('NotificationIntended'));
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime() - 1_000);
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const codec = new EventCodec();
  const seen: DeadLetterSeen[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const remaining = new Map(
    ends
      .filter((end) => {
        const start = offsets.find((o) => o.partition === end.partition)?.offset ?? end.offset;
        return Number(end.offset) > Math.max(0, Number(start));
      })
      .map((end) => [end.partition, Number(end.offset)]),
  );
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  if (remaining.size === 0) finish();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.key?.toString() === key) {
        const header = (name: string): string => String(message.headers?.[name] ?? '');
        seen.push({
          key,
          type: codec.decode(message.value!).type,
          error: header(BUS_HEADERS.error),
          attempts: header(BUS_HEADERS.attempts),
        });
      }
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
      if (remaining.size === 0) finish();
    },
  });
  for (const { partition, offset } of offsets) if (Number(offset) >= 0) consumer.seek({ topic, partition, offset });
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  await consumer.disconnect();
  return seen;
}
