import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { Registry, type Counter } from 'prom-client';
import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { createKafka } from '../kafka/kafka-config.js';
import { testDatabaseUrl, testKafkaSettings } from '../testing/index.js';
import { TopicReader } from '../testing/topic-reader.js';
import { busMetrics } from '../bus/bus-metrics.js';
import { KafkaEventClient } from '../bus/kafka/kafka-event-client.js';
import { waitFor } from '../bus/testing/bus.contract.js';
import { migrateEventStore } from '../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { PostgresCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
import { EventRelay, type EventPublisher } from './event-relay.js';

/**
 * The relay on the real PostgreSQL and broker: it crashes after publishing a batch but
 * before saving its checkpoint (the worst moment), a new relay takes over from the
 * checkpoint, and Kafka ends up with every event, in order per key, duplicates only
 * of the batch that was in flight.
 */
describe('event relay from PostgreSQL to Kafka', () => {
  const kafka = createKafka(testKafkaSettings('relay-test'));
  const registry = new Registry();
  const logger = pino({ level: process.env.RELAY_TEST_LOG ?? 'silent' });
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let client: KafkaEventClient;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 50 });
    client = new KafkaEventClient(kafka, busMetrics(registry));
  });

  afterAll(async () => {
    await client.close();
    await store.close();
    await pool.end();
  });

  /** Publishes `okBatches` batches, then publishes one more and dies before the relay can checkpoint it. */
  function crashingPublisher(okBatches: number): EventPublisher & { crashed: boolean } {
    let batches = 0;
    return {
      crashed: false,
      async publishBatch(events: readonly EvalVaultEvent[]) {
        await client.publishBatch(events);
        if (++batches > okBatches) {
          this.crashed = true;
          throw new Error('relay process killed after publishing, before saving its checkpoint');
        }
      },
    };
  }

  /** Where the runs topic ends before a test publishes: it reads from there, not the whole topic. */
  const topicEnd = (): Promise<TopicReader> => TopicReader.atEnd(kafka, topicOf('RunStarted'));

  async function readFromKafka(reader: TopicReader, prefix: string, expectedUnique: number) {
    const codec = new EventCodec();
    const received: EvalVaultEvent[] = [];
    await reader.start(`relay-check-${randomUUID()}`, ({ message }) => {
      if (message.key?.toString().startsWith(prefix)) received.push(codec.decode(message.value!));
    });
    try {
      const unique = () => new Set(received.map((e) => e.eventId)).size;
      await waitFor(() => unique() >= expectedUnique, `${expectedUnique} events on Kafka`, 30_000).catch((error) => {
        throw new Error(`${(error as Error).message}: ${unique()} of this test's, ${reader.seen} messages in all`);
      });
      await new Promise((resolve) => setTimeout(resolve, 500)); // let any late duplicate arrive too
      return received;
    } finally {
      await reader.stop();
    }
  }

  it('loses nothing and keeps per-key order when it dies mid-stream and restarts', async () => {
    const prefix = `run-relay${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    const streams = Array.from({ length: 6 }, () => `${prefix}${randomUUID()}`);
    const reader = await topicEnd();
    const appended: EvalVaultEvent[] = [];
    for (let round = 0; round < 10; round++) {
      for (const streamId of streams) {
        const event = runStarted(streamId, tenant, round);
        await store.append(streamId, [event], 'any');
        appended.push(event);
      }
    }
    const name = `test-${randomUUID()}`;
    const options = { name, filter: { streamPrefixes: [prefix] }, batchSize: 7, logger, registry };

    const crashing = crashingPublisher(3);
    // A restart far away: this relay stands for a process that died, not one that recovers.
    const first = new EventRelay(store, crashing, new PostgresCheckpointStore(pool), {
      ...options,
      restartPolicy: { initialBackoffMs: 600_000, maxBackoffMs: 600_000 },
    });
    await first.start();
    const error = await first.failure;
    expect(error.message).toContain('killed');
    await expect(first.readiness.check()).rejects.toThrow(`relay:${name} cannot make progress: relay process killed`);
    await first.stop();
    expect(await new PostgresCheckpointStore(pool).load(`relay:${name}`)).toEqual(
      (await store.readAll({ commit: 0n, sequence: 0n }, { filter: options.filter, maxCount: 21 })).at(-1)!.position,
    );

    const second = new EventRelay(store, client, new PostgresCheckpointStore(pool), options);
    await second.start();
    await second.caughtUp();
    await second.stop();

    const received = await readFromKafka(reader, prefix, appended.length);
    const firstSeen = received.filter(
      (event, index) => received.findIndex((e) => e.eventId === event.eventId) === index,
    );
    expect(firstSeen.map((e) => e.eventId).sort()).toEqual(appended.map((e) => e.eventId).sort());
    for (const streamId of streams) {
      const order = firstSeen
        .filter((e) => e.streamId === streamId)
        .map((e) => (e.type === 'RunStarted' ? e.payload.totalCases : -1));
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(received.length - firstSeen.length).toBe(7); // exactly the batch in flight at the crash
  });

  it('starts where its checkpoint says after a clean stop, publishing nothing twice', async () => {
    const prefix = `run-relay${randomUUID().slice(0, 8)}-`;
    const streamId = `${prefix}${randomUUID()}`;
    const tenant = `tenant-${randomUUID()}`;
    const options = { name: `test-${randomUUID()}`, filter: { streamPrefixes: [prefix] }, logger, registry };
    const reader = await topicEnd();
    await store.append(streamId, [runStarted(streamId, tenant, 0), runStarted(streamId, tenant, 1)], 'no_stream');
    const first = new EventRelay(store, client, new PostgresCheckpointStore(pool), options);
    await first.start();
    await first.caughtUp();
    await first.stop();
    await store.append(streamId, [runStarted(streamId, tenant, 2)], 1n);
    const second = new EventRelay(store, client, new PostgresCheckpointStore(pool), options);
    await second.start();
    await second.caughtUp();
    await second.stop();
    const received = await readFromKafka(reader, prefix, 3);
    expect(received.map((e) => (e.type === 'RunStarted' ? e.payload.totalCases : -1))).toEqual([0, 1, 2]);
  });

  it('saves its checkpoint once per interval while busy, and the last position once idle or stopped', async () => {
    const prefix = `run-relay${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    const streamId = `${prefix}${randomUUID()}`;
    await store.append(
      streamId,
      Array.from({ length: 30 }, (_, index) => runStarted(streamId, tenant, index)),
      'no_stream',
    );
    const last = (await store.readStream(streamId)).at(-1)!.position;
    const saved: string[] = [];
    const checkpoints = new PostgresCheckpointStore(pool);
    const counting: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: async (name, position) => {
        saved.push(name);
        await checkpoints.save(name, position);
      },
    };
    const relayWith = (name: string, checkpointIntervalMs: number) =>
      new EventRelay(store, client, counting, {
        name,
        filter: { streamPrefixes: [prefix] },
        batchSize: 5,
        checkpointIntervalMs,
        logger,
        registry,
      });

    // Waited for by count, not caughtUp: in the shared test database another session's open transaction
    // can hide the 30 events (one append, so all or none) from a first read.
    const published = async (name: string): Promise<number> =>
      (await (registry.getSingleMetric('relay_events_published_total') as Counter<'relay'>).get()).values.find(
        (value) => value.labels.relay === name,
      )?.value ?? 0;
    const everyBatchName = `test-${randomUUID()}`;
    const everyBatch = relayWith(everyBatchName, 0);
    await everyBatch.start();
    await waitFor(async () => (await published(everyBatchName)) === 30, 'the 30 events published');
    await everyBatch.stop();
    expect(saved).toHaveLength(6); // six batches of five, each saved; nothing left to save at the stop

    saved.length = 0;
    const busyName = `test-${randomUUID()}`;
    const busy = relayWith(busyName, 60_000);
    await busy.start();
    await waitFor(async () => (await published(busyName)) === 30, 'the 30 events published');
    expect(saved).toHaveLength(1); // the first batch; the other five within the interval
    await busy.stop();
    expect(saved).toHaveLength(2); // the stop saves the last published position
    expect(await checkpoints.load(`relay:${busyName}`)).toEqual(last);

    saved.length = 0;
    const idleName = `test-${randomUUID()}`;
    const idle = relayWith(idleName, 200);
    await idle.start();
    await waitFor(async () => (await checkpoints.load(`relay:${idleName}`))?.sequence === last.sequence, 'idle save');
    expect(saved.length).toBeLessThan(6);
    await idle.stop();
  });

  it('restarts itself after the broker fails, reports not ready meanwhile, and publishes everything once', async () => {
    const prefix = `run-relay${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    const streamId = `${prefix}${randomUUID()}`;
    const reader = await topicEnd();
    let brokerDown = true;
    let refused = 0;
    const flaky: EventPublisher = {
      async publishBatch(events) {
        if (brokerDown) {
          refused += 1;
          throw new Error('broker unreachable');
        }
        await client.publishBatch(events);
      },
    };
    const relay = new EventRelay(store, flaky, new PostgresCheckpointStore(pool), {
      name: `test-${randomUUID()}`,
      filter: { streamPrefixes: [prefix] },
      logger,
      registry,
      restartPolicy: { initialBackoffMs: 50, maxBackoffMs: 200 },
    });
    await relay.start();
    await store.append(streamId, [runStarted(streamId, tenant, 0), runStarted(streamId, tenant, 1)], 'no_stream');
    await relay.failure;
    await expect(relay.readiness.check()).rejects.toThrow('cannot make progress: broker unreachable');
    // It keeps trying, with backoff, instead of stopping for good.
    await waitFor(() => refused >= 3, 'three refused attempts');
    brokerDown = false;
    await store.append(streamId, [runStarted(streamId, tenant, 2)], 1n);
    await waitFor(
      async () =>
        relay.readiness.check().then(
          () => true,
          () => false,
        ),
      'the relay ready again',
    );
    await relay.caughtUp();
    await relay.stop();
    const received = await readFromKafka(reader, prefix, 3);
    expect(received.map((e) => (e.type === 'RunStarted' ? e.payload.totalCases : -1))).toEqual([0, 1, 2]);
  });
});
