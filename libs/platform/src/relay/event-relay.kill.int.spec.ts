import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { EventCodec, topicOf, type EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { createKafka } from '../kafka/kafka-config.js';
import { testDatabaseUrl, testKafkaSettings } from '../testing/index.js';
import { TopicReader } from '../testing/topic-reader.js';
import { waitFor } from '../bus/testing/bus.contract.js';
import { migrateEventStore } from '../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';

/**
 * The relay as a real process, killed with SIGKILL in the middle of the log and
 * started again: Kafka ends up with every event, in order per key.
 */
const script = join(import.meta.dirname, '..', '..', 'dist', 'relay', 'testing', 'relay-process.js');

describe('relay process killed mid-stream', () => {
  let pool: pg.Pool;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  });

  afterAll(async () => {
    children.filter((child) => child.exitCode === null).forEach((child) => child.kill('SIGKILL'));
    await pool.end();
  });

  async function startRelay(env: Record<string, string>): Promise<ChildProcess> {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await once(child.stdout!, 'data');
    return child;
  }

  /** How many of the test's events are at or before the relay's saved checkpoint. */
  async function checkpointed(relayName: string, prefix: string): Promise<number> {
    const { rows } = await pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM eventstore.events e JOIN eventstore.checkpoints c ON c.name = $1
        WHERE e.stream_id LIKE $2 AND (e.commit_id::text::bigint, e.sequence) <= (c.commit, c.sequence)`,
      [`relay:${relayName}`, `${prefix}%`],
    );
    return rows[0]?.count ?? 0;
  }

  it('publishes every event, in order per key, across a SIGKILL and a restart', async () => {
    const prefix = `run-kill${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    const kafka = createKafka(testKafkaSettings('relay-kill-check'));
    const reader = await TopicReader.atEnd(kafka, topicOf('RunStarted'));
    const store = new PostgresEventStore(pool);
    const streams = Array.from({ length: 10 }, () => `${prefix}${randomUUID()}`);
    const appended: EvalVaultEvent[] = [];
    for (let round = 0; round < 40; round++) {
      const batch = streams.map((streamId) => runStarted(streamId, tenant, round));
      await Promise.all(batch.map((event) => store.append(event.streamId, [event], 'any')));
      appended.push(...batch);
    }

    const received: EvalVaultEvent[] = [];
    const codec = new EventCodec();
    await reader.start(`relay-kill-${randomUUID()}`, ({ message }) => {
      if (message.key?.toString().startsWith(prefix)) received.push(codec.decode(message.value!));
    });
    try {
      const env = {
        DATABASE_URL: testDatabaseUrl(),
        RELAY_PREFIX: prefix,
        RELAY_NAME: `kill-${randomUUID()}`,
        RELAY_BATCH_SIZE: '25',
        RELAY_BATCH_DELAY_MS: '150',
      };
      const first = await startRelay(env);
      // Watched through its checkpoint, not through Kafka: a consumer joining its group can take
      // seconds, long enough for the relay to have finished before the kill.
      await waitFor(async () => (await checkpointed(env.RELAY_NAME, prefix)) >= 100, 'a checkpoint past 100 events');
      first.kill('SIGKILL');
      await once(first, 'exit');
      const publishedBeforeKill = await checkpointed(env.RELAY_NAME, prefix);
      expect(publishedBeforeKill).toBeLessThan(appended.length);

      const second = await startRelay({ ...env, RELAY_BATCH_DELAY_MS: '0' });
      const unique = (): number => new Set(received.map((e) => e.eventId)).size;
      await waitFor(() => unique() === appended.length, `all ${appended.length} events on Kafka`, 60_000).catch(
        (error) => {
          throw new Error(`${(error as Error).message}: ${unique()} of them, ${reader.seen} messages in all`);
        },
      );
      second.kill('SIGTERM');

      const firstSeen = received.filter(
        (event, index) => received.findIndex((e) => e.eventId === event.eventId) === index,
      );
      for (const streamId of streams) {
        const order = firstSeen
          .filter((e) => e.streamId === streamId)
          .map((e) => (e.type === 'RunStarted' ? e.payload.totalCases : -1));
        expect(order).toEqual(Array.from({ length: 40 }, (_, index) => index));
      }
      console.log(
        `relay kill: ${publishedBeforeKill} checkpointed before SIGKILL, ` +
          `${received.length - firstSeen.length} republished after restart, ${appended.length} unique in order`,
      );
    } finally {
      await reader.stop();
    }
  }, 150_000);
});
