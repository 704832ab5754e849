import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { EventCodec, SchemaCatalog, topicOf } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import {
  busMetrics,
  createKafka,
  EventRelay,
  KafkaEventClient,
  migrateEventStore,
  PostgresCheckpointStore,
  PostgresEventStore,
} from '@evalvault/platform';
import { testDatabaseUrl, testKafkaSettings, TopicReader } from '@evalvault/platform/testing';
import { installSchemaRegistry, SCHEMA_REGISTRY_PREFIX } from './schema-registry.routes.js';

/**
 * EVALVAULT_KAFKA_FRAMING=confluent on the real PostgreSQL and broker: the relay publishes a stored
 * event in Confluent's wire format; the off-the-shelf @kafkajs/confluent-schema-registry fetches the
 * writer schema from our registry routes and decodes it; our own codec (what every consumer of
 * ours decodes with) reads the same message.
 */
describe('Confluent framing read by a Confluent deserializer', () => {
  const kafka = createKafka(testKafkaSettings('confluent-framing'));
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let publisher: KafkaEventClient;
  let fastify: FastifyInstance;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
    store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 50 });
    publisher = new KafkaEventClient(kafka, busMetrics(new Registry()), new EventCodec(), 'confluent');
    fastify = Fastify();
    installSchemaRegistry(fastify);
    await fastify.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await fastify.close();
    await publisher.close();
    await store.close();
    await pool.end();
  });

  async function relayAndRead(streamPrefix: string, streamId: string): Promise<Buffer> {
    const reader = await TopicReader.atEnd(kafka, topicOf('RunStarted'));
    let arrived: (value: Buffer) => void = () => undefined;
    const value = new Promise<Buffer>((resolve) => (arrived = resolve));
    await reader.start(`confluent-check-${randomUUID()}`, ({ message }) => {
      if (message.key?.toString() === streamId) arrived(message.value!);
    });
    const relay = new EventRelay(store, publisher, new PostgresCheckpointStore(pool), {
      name: `test-${randomUUID()}`,
      filter: { streamPrefixes: [streamPrefix] },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    });
    await relay.start();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        value,
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`${streamId} not on Kafka in 30 s (${reader.seen} seen)`)), 30_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await relay.stop();
      await reader.stop();
    }
  }

  it('is decoded by @kafkajs/confluent-schema-registry from our registry API, and by our codec', async () => {
    const prefix = `run-confluent${randomUUID().slice(0, 8)}-`;
    const streamId = `${prefix}${randomUUID()}`;
    const event = runStarted(streamId, `tenant-${randomUUID()}`, 42);
    await store.append(streamId, [event], 'no_stream');

    const value = await relayAndRead(prefix, streamId);

    const catalog = SchemaCatalog.shared();
    const writer = catalog.latest('RunStarted');
    expect(value[0]).toBe(0);
    expect(value.readInt32BE(1)).toBe(catalog.schemaId(writer));
    const { port } = fastify.server.address() as { port: number };
    const registry = new SchemaRegistry({ host: `http://127.0.0.1:${port}${SCHEMA_REGISTRY_PREFIX}` });
    const decoded = JSON.parse(JSON.stringify(await registry.decode(value))) as Record<string, unknown>;
    expect(decoded).toMatchObject({
      eventId: event.eventId,
      type: 'RunStarted',
      schemaVersion: writer.version,
      occurredAt: event.occurredAt,
      tenantId: event.tenantId,
      streamId,
      payload: { runId: event.payload.runId, totalCases: 42 },
    });
    expect(new EventCodec().decode(value)).toEqual({ ...event, schemaVersion: writer.version });
  });
});
