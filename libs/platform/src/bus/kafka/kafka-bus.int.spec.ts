import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Consumer, Producer } from 'kafkajs';
import { deadLetterTopic } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { createKafka } from '../../kafka/kafka-config.js';
import { testKafkaSettings } from '../../testing/index.js';
import type { BusMessage } from '../bus-message.js';
import { busMetrics } from '../bus-metrics.js';
import { busContract } from '../testing/bus.contract.js';
import { KafkaEventClient } from './kafka-event-client.js';
import { KafkaEventServer } from './kafka-event-server.js';

busContract('Kafka', async () => {
  const kafka = createKafka(testKafkaSettings('bus-contract'));
  const registry = new Registry();
  const metrics = busMetrics(registry);
  const client = new KafkaEventClient(kafka, metrics);
  const raw: Producer = kafka.producer();
  await raw.connect();
  const letters = new Map<string, BusMessage[]>();
  const dlqReaders: Consumer[] = [];

  /** Reads a dead-letter topic from the start in a private group, collecting what arrives. */
  async function followDeadLetters(topic: string): Promise<BusMessage[]> {
    const dlq = deadLetterTopic(topic);
    if (!letters.has(dlq)) {
      letters.set(dlq, []);
      const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
      dlqReaders.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          letters.get(dlq)!.push({
            topic: t,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            value: message.value!,
            headers,
          });
        },
      });
    }
    return letters.get(dlq)!;
  }

  return {
    registry,
    reportsConsumerLag: true,
    publishBatch: (events) => client.publishBatch(events),
    createServer: (groupId, policy) =>
      new KafkaEventServer({
        kafka,
        groupId,
        policy,
        metrics,
        logger: pino({ level: 'silent' }),
        fromBeginning: false,
      }),
    produceRaw: async (topic, key, value, headers) => {
      await raw.send({ topic, messages: [{ key, value, headers }] });
    },
    deadLetters: async (topic, key) => (await followDeadLetters(topic)).filter((message) => message.key === key),
    close: async () => {
      await Promise.all(dlqReaders.map((consumer) => consumer.disconnect()));
      await raw.disconnect();
      await client.close();
    },
  };
});

describe('Kafka relay batches over the broker’s request size', () => {
  it('publishes 2.4 MB of work batches in one call (the broker takes at most 1 MiB per record batch)', async () => {
    const kafka = createKafka(testKafkaSettings('bus-large-batch'));
    const client = new KafkaEventClient(kafka, busMetrics(new Registry()));
    const runId = randomUUID();
    const context = 'x'.repeat(1_000);
    const events = Array.from({ length: 12 }, (_, batchNo) =>
      testEvent(
        'CaseBatchScheduled',
        {
          runId,
          batchNo,
          cases: Array.from({ length: 200 }, (_, i) => ({
            caseIndex: batchNo * 200 + i,
            line: batchNo * 200 + i + 1,
            testCase: {
              id: `c${i}`,
              question: 'q',
              answer: 'a',
              contexts: [context],
              groundTruth: null,
              metadataJson: null,
            },
          })),
        },
        { streamId: `runbatch-${runId}` },
      ),
    );
    try {
      await expect(client.publishBatch(events)).resolves.toBeUndefined();
    } finally {
      await client.close();
    }
  });
});

describe('Kafka consumer busy longer than its session', () => {
  it('keeps its partitions while a handler runs past the session timeout: the message is handled once', async () => {
    const kafka = createKafka(testKafkaSettings('bus-busy-member'));
    const metrics = busMetrics(new Registry());
    const client = new KafkaEventClient(kafka, metrics);
    const groupId = `busy-${randomUUID()}`;
    const streamId = `run-${randomUUID()}`;
    const sessionTimeoutMs = 6_000; // the broker's smallest allowed session
    let handled = 0;
    let finished = 0;
    const members = [1, 2].map(() => {
      const server = new KafkaEventServer({
        kafka,
        groupId,
        metrics,
        logger: pino({ level: 'silent' }),
        fromBeginning: false,
        sessionTimeoutMs,
      });
      server.addHandler(
        'RunStarted',
        async (event: { streamId: string }) => {
          if (event.streamId !== streamId) return;
          handled += 1;
          await new Promise((resolve) => setTimeout(resolve, 2.5 * sessionTimeoutMs));
          finished += 1;
        },
        true,
      );
      return server;
    });
    try {
      for (const server of members) {
        await new Promise<void>((resolve, reject) =>
          server.listen((error?: unknown) => (error ? reject(error) : resolve())),
        );
      }
      await Promise.all(members.map((server) => server.ready));
      await client.publishBatch([testEvent('RunStarted', { runId: randomUUID(), totalCases: 1 }, { streamId })]);
      const deadline = Date.now() + 60_000;
      while (finished === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      // Long enough for a group that dropped the busy member to hand the message to the other one.
      await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs));
      expect(finished).toBe(1);
      expect(handled).toBe(1);
    } finally {
      await Promise.all(members.map((server) => server.close()));
      await client.close();
    }
  }, 120_000);
});
