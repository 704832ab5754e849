import { randomBytes, randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  deadLetterTopic,
  EVENT_TYPES,
  EventCodec,
  SchemaCatalog,
  SINGLE_OBJECT_MARKER,
  topicOf,
  type EvalVaultEvent,
  type EventType,
} from '@evalvault/contracts';
import {
  BUS_HEADERS,
  busMetrics,
  createKafka,
  KafkaEventServer,
  type BusMessage,
  type DeliveryPolicy,
} from '@evalvault/platform';
import { testKafkaSettings } from '@evalvault/platform/testing';

/**
 * Poison messages on every topic a service consumes (the audit service consumes every event type, so every
 * topic), through the Kafka consumer all services share: each is dead-lettered with a reason, the consumer goes
 * on, and the good event behind them is handled.
 */
const MAX_MESSAGE_BYTES = 100_000;

async function waitFor(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const POLICY: DeliveryPolicy = {
  maxAttempts: 2,
  initialBackoffMs: 10,
  maxBackoffMs: 20,
  maxMessageBytes: MAX_MESSAGE_BYTES,
};
const catalog = SchemaCatalog.shared();
const codec = new EventCodec(catalog);

/** One type per topic: the first event type published on it. */
const TYPE_OF_TOPIC = new Map<string, EventType>();
for (const type of EVENT_TYPES) if (!TYPE_OF_TOPIC.has(topicOf(type))) TYPE_OF_TOPIC.set(topicOf(type), type);

/** Valid Avro of the type's newest schema with random payload, and an envelope a producer of ours would write. */
function validEvent(type: EventType, key: string, tenantId: string): EvalVaultEvent {
  const random = catalog.latest(type).type.random() as unknown as Record<string, unknown>;
  return {
    ...random,
    eventId: randomUUID(),
    type,
    occurredAt: Date.now(),
    tenantId,
    projectId: 'default',
    streamId: key,
  } as unknown as EvalVaultEvent;
}

interface Poison {
  name: string;
  value: (good: Buffer, type: EventType, key: string, tenantId: string) => Buffer;
  code: string;
}

const POISONS: Poison[] = [
  {
    name: 'wrong magic byte',
    value: (good) => Buffer.concat([Buffer.from([0xc4]), good.subarray(1)]),
    code: 'NOT_SINGLE_OBJECT',
  },
  {
    name: 'unknown schema fingerprint',
    value: (good) => Buffer.concat([SINGLE_OBJECT_MARKER, randomBytes(8), good.subarray(10)]),
    code: 'UNKNOWN_FINGERPRINT',
  },
  {
    name: 'truncated Avro',
    value: (good) => good.subarray(0, 10 + Math.floor((good.length - 10) / 2)),
    code: 'CORRUPT_BODY',
  },
  { name: 'oversized message', value: () => randomBytes(MAX_MESSAGE_BYTES + 1), code: 'MESSAGE_TOO_LARGE' },
  {
    name: 'valid Avro with impossible values',
    value: (_good, type, key, tenantId) =>
      codec.encode({ ...validEvent(type, key, tenantId), occurredAt: -1, tenantId: '' } as EvalVaultEvent),
    code: 'IMPOSSIBLE_EVENT',
  },
];

describe('poison messages on every consumed topic go to the DLQ with a reason; the consumer goes on', () => {
  const kafka = createKafka(testKafkaSettings('poison-drill'));
  const registry = new Registry();
  const handled = new Set<string>();
  const letters: BusMessage[] = [];
  const tenantId = `tenant-${randomUUID()}`;
  let server: KafkaEventServer;
  let producer: Producer;
  let dlqReader: Consumer;

  beforeAll(async () => {
    server = new KafkaEventServer({
      kafka,
      groupId: `poison-drill-${randomUUID()}`,
      policy: POLICY,
      metrics: busMetrics(registry),
      logger: pino({ level: 'silent' }),
      fromBeginning: false,
    });
    for (const type of EVENT_TYPES)
      server.addHandler(type, async (event: EvalVaultEvent) => void handled.add(event.eventId), true);
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await server.ready;
    producer = kafka.producer();
    await producer.connect();
    dlqReader = kafka.consumer({ groupId: `poison-dlq-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: [...TYPE_OF_TOPIC.keys()].map(deadLetterTopic), fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        if (headers[BUS_HEADERS.consumerGroup]?.startsWith('poison-drill-'))
          letters.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            value: message.value!,
            headers,
          });
      },
    });
  }, 60_000);

  afterAll(async () => {
    await dlqReader?.disconnect();
    await producer?.disconnect();
    await server?.close();
  });

  it(`covers the ${TYPE_OF_TOPIC.size} topics of every consumed event type`, () => {
    expect(new Set(EVENT_TYPES.map(topicOf))).toEqual(new Set(TYPE_OF_TOPIC.keys()));
  });

  it('dead-letters each poison at once with its code; the good event behind them is handled', async () => {
    const expected: { topic: string; key: string; code: string; name: string }[] = [];
    const goodIds: string[] = [];
    for (const [topic, type] of TYPE_OF_TOPIC) {
      const key = `poison-${randomUUID()}`;
      const good = validEvent(type, key, tenantId);
      const goodValue = codec.encode(good);
      const messages = POISONS.map((poison) => {
        expected.push({ topic, key, code: poison.code, name: poison.name });
        return { key, value: poison.value(goodValue, type, key, tenantId), headers: { 'x-drill': poison.name } };
      });
      // On the same key, so the same partition: the good event waits behind every poison.
      await producer.send({ topic, messages: [...messages, { key, value: goodValue, headers: {} }] });
      goodIds.push(good.eventId);
    }
    await waitFor(() => goodIds.every((id) => handled.has(id)), 'every good event after its poisons', 30_000);
    // Each of ours by key and poison: the topics also hold the letters of this suite's earlier runs on the broker.
    const letterOf = (want: (typeof expected)[number]) =>
      letters.find((l) => l.key === want.key && l.headers['x-drill'] === want.name);
    await waitFor(() => expected.every((want) => letterOf(want)), `${expected.length} dead letters`, 30_000);

    for (const want of expected) {
      const letter = letterOf(want);
      expect({ ...want, code: letter?.headers[BUS_HEADERS.errorCode] }).toEqual(want);
      expect(letter!.topic).toBe(deadLetterTopic(want.topic));
      expect(letter!.headers[BUS_HEADERS.error]).toMatch(/\S/);
      expect(letter!.headers[BUS_HEADERS.attempts]).toBe('0');
      if (want.code === 'MESSAGE_TOO_LARGE') {
        expect(letter!.headers[BUS_HEADERS.originalSize]).toBe(String(MAX_MESSAGE_BYTES + 1));
        expect(letter!.value.length).toBeLessThanOrEqual(64 * 1024);
      }
    }
    const reasons = Object.fromEntries(
      POISONS.map((p) => [p.code, letters.filter((l) => l.headers[BUS_HEADERS.errorCode] === p.code).length]),
    );
    process.stdout.write(
      `poison drill: ${TYPE_OF_TOPIC.size} topics, dead letters by reason ${JSON.stringify(reasons)}\n`,
    );
  }, 60_000);
});
