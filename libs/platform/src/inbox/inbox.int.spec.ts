import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { createKafka } from '../kafka/kafka-config.js';
import { testDatabaseUrl, testKafkaSettings } from '../testing/index.js';
import { busMetrics } from '../bus/bus-metrics.js';
import { KafkaEventClient } from '../bus/kafka/kafka-event-client.js';
import { KafkaEventServer } from '../bus/kafka/kafka-event-server.js';
import { waitFor } from '../bus/testing/bus.contract.js';
import { runMigrations } from '../event-store/postgres/migrate.js';
import { Inbox, inboxMigration } from './inbox.js';

const SCHEMA = 'inbox_test';

class CreateRunCounts1764115400000 implements MigrationInterface {
  name = 'CreateRunCounts1764115400000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "${SCHEMA}".run_starts (stream_id text PRIMARY KEY, starts int NOT NULL)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${SCHEMA}".run_starts`);
  }
}

/** A read model that counts RunStarted events per stream: wrong by one on any duplicate. */
describe('inbox', () => {
  let dataSource: DataSource;
  let inbox: Inbox;
  const countStart = (event: EvalVaultEvent) =>
    inbox.handleOnce(event, async (manager) => {
      await manager.query(
        `INSERT INTO "${SCHEMA}".run_starts VALUES ($1, 1)
         ON CONFLICT (stream_id) DO UPDATE SET starts = run_starts.starts + 1`,
        [event.streamId],
      );
    });
  const startsOf = async (streamId: string): Promise<number> =>
    (
      (await dataSource.query(`SELECT starts FROM "${SCHEMA}".run_starts WHERE stream_id = $1`, [streamId])) as {
        starts: number;
      }[]
    )[0]?.starts ?? 0;

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl(), SCHEMA, [inboxMigration(SCHEMA), CreateRunCounts1764115400000]);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    inbox = new Inbox(dataSource, SCHEMA, 'run-counter');
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('applies an event once however often it is handled', async () => {
    const streamId = `run-${randomUUID()}`;
    const event = runStarted(streamId, 'tenant-a');
    expect(await countStart(event)).toBe(true);
    expect(await countStart(event)).toBe(false);
    expect(await countStart(runStarted(streamId, 'tenant-a'))).toBe(true);
    expect(await startsOf(streamId)).toBe(2);
  });

  it('records nothing when the effect fails, so the retry applies it', async () => {
    const streamId = `run-${randomUUID()}`;
    const event = runStarted(streamId, 'tenant-a');
    await expect(
      inbox.handleOnce(event, async (manager) => {
        await manager.query(`INSERT INTO "${SCHEMA}".run_starts VALUES ($1, 1)`, [streamId]);
        throw new Error('crash after the write, before the commit');
      }),
    ).rejects.toThrow('crash');
    expect(await startsOf(streamId)).toBe(0);
    expect(await countStart(event)).toBe(true);
    expect(await startsOf(streamId)).toBe(1);
  });

  const countStartEffect =
    (event: EvalVaultEvent) =>
    async (manager: EntityManager): Promise<void> => {
      await manager.query(
        `INSERT INTO "${SCHEMA}".run_starts VALUES ($1, 1)
         ON CONFLICT (stream_id) DO UPDATE SET starts = run_starts.starts + 1`,
        [event.streamId],
      );
    };

  it('applies a batch once: repeats within it and events handled before count once', async () => {
    const streamId = `run-${randomUUID()}`;
    const [a, b, c] = [1, 2, 3].map(() => runStarted(streamId, 'tenant-a'));
    expect(await countStart(a!)).toBe(true);
    const batch = [a!, b!, b!, c!].map((event) => ({ event, effect: countStartEffect(event) }));
    expect(await inbox.handleAllOnce(batch)).toBe(2);
    expect(await startsOf(streamId)).toBe(3);
    expect(await inbox.handleAllOnce(batch)).toBe(0);
    expect(await startsOf(streamId)).toBe(3);
  });

  it('records none of a batch when one effect fails, so the retry applies them all', async () => {
    const streamId = `run-${randomUUID()}`;
    const events = [1, 2].map(() => runStarted(streamId, 'tenant-a'));
    const failing = [
      { event: events[0]!, effect: countStartEffect(events[0]!) },
      {
        event: events[1]!,
        effect: async () => {
          throw new Error('the second effect fails');
        },
      },
    ];
    await expect(inbox.handleAllOnce(failing)).rejects.toThrow('second effect');
    expect(await startsOf(streamId)).toBe(0);
    const retried = events.map((event) => ({ event, effect: countStartEffect(event) }));
    expect(await inbox.handleAllOnce(retried)).toBe(2);
    expect(await startsOf(streamId)).toBe(2);
  });

  it('has no second effect when Kafka delivers the same events twice', async () => {
    const kafka = createKafka(testKafkaSettings('inbox-test'));
    const metrics = busMetrics(new Registry());
    const client = new KafkaEventClient(kafka, metrics);
    const server = new KafkaEventServer({
      kafka,
      groupId: `inbox-${randomUUID()}`,
      metrics,
      logger: pino({ level: 'silent' }),
      fromBeginning: false,
    });
    const streamId = `run-${randomUUID()}`;
    let deliveries = 0;
    server.addHandler(
      'RunStarted',
      async (event: EvalVaultEvent) => {
        if (event.streamId !== streamId) return;
        deliveries++;
        await countStart(event);
      },
      true,
    );
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    await server.ready;
    try {
      const events = [
        runStarted(streamId, 'tenant-a'),
        runStarted(streamId, 'tenant-a'),
        runStarted(streamId, 'tenant-a'),
      ];
      await client.publishBatch(events);
      await client.publishBatch(events); // a relay restart republishing its last batch
      await waitFor(() => deliveries === 6, 'six deliveries');
      expect(await startsOf(streamId)).toBe(3);
    } finally {
      await server.close();
      await client.close();
    }
  });
});
