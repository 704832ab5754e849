import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { createLogger } from '../../observability/logger.js';
import { createMetricsRegistry } from '../../observability/metrics.js';
import { migrateEventStore } from '../../event-store/postgres/migrate.js';
import { PostgresEventStore } from '../../event-store/postgres/postgres-event-store.js';
import type { GlobalPosition } from '../../event-store/event-store.port.js';
import { PostgresCheckpointStore } from '../../relay/checkpoint-store.js';
import { testDatabaseUrl } from '../../testing/index.js';
import { busMetrics } from '../bus-metrics.js';
import type { DeadLetter } from '../message-processor.js';
import { waitFor } from '../testing/bus.contract.js';
import { StoreEventServer } from './store-event-server.js';

/** The embedded bus: consumer groups that follow the event store from their own checkpoints. */
describe('store event server on PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const logger = createLogger({ serviceName: 'test', logLevel: 'silent', redactPaths: [] });
  const metrics = busMetrics(createMetricsRegistry('test'));
  const tenant = `tenant-${randomUUID()}`;
  const policy = { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 10 };

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const append = async (): Promise<EvalVaultEvent> => {
    const event = runStarted(`run-${randomUUID()}`, tenant, 1);
    await store.append(event.streamId, [event], 'no_stream');
    return event;
  };
  // New groups start at the log's head when the test begins: the shared test store holds every other
  // suite's events too.
  let testStart: GlobalPosition;
  beforeAll(async () => {
    testStart = await store.headPosition();
  });

  const start = async (
    groupId: string,
    handle: (event: EvalVaultEvent) => Promise<void>,
    letters: DeadLetter[] = [],
  ): Promise<StoreEventServer> => {
    const server = new StoreEventServer({
      store,
      checkpoints: new PostgresCheckpointStore(pool),
      groupId,
      logger,
      metrics,
      policy,
      deadLetter: async (letter) => {
        letters.push(letter);
      },
      startWhenNew: async () => testStart,
    });
    server.addHandler('RunStarted', (event: unknown) => handle(event as EvalVaultEvent), true);
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(error) : resolve())),
    );
    return server;
  };

  it('hands a new group each event of its types from its start; resumes after a restart where it stopped', async () => {
    const groupId = `group-${randomUUID()}`;
    const before = await append();
    const seen: string[] = [];
    const mine = (event: EvalVaultEvent): boolean => event.tenantId === tenant;
    let server = await start(groupId, async (event) => {
      if (mine(event)) seen.push(event.eventId);
    });
    await waitFor(() => seen.includes(before.eventId), 'the event appended before the group started');
    await server.close();

    const whileStopped = await append();
    server = await start(groupId, async (event) => {
      if (mine(event)) seen.push(event.eventId);
    });
    const after = await append();
    await waitFor(() => seen.includes(after.eventId), 'the event appended after the restart');
    await server.close();
    expect(seen.filter((id) => [before.eventId, whileStopped.eventId, after.eventId].includes(id))).toEqual([
      before.eventId,
      whileStopped.eventId,
      after.eventId,
    ]);
  });

  it('retries a failing handler, dead-letters the event and goes on with the next', async () => {
    const groupId = `group-${randomUUID()}`;
    const poison = await append();
    const next = await append();
    const letters: DeadLetter[] = [];
    const handled: string[] = [];
    let attempts = 0;
    const server = await start(
      groupId,
      async (event) => {
        if (event.eventId === poison.eventId) {
          attempts += 1;
          throw new Error('cannot handle this one');
        }
        handled.push(event.eventId);
      },
      letters,
    );
    await waitFor(() => handled.includes(next.eventId), 'the event after the poison one');
    await server.close();
    expect(attempts).toBe(2);
    expect(letters.map((letter) => ({ key: letter.message.key, error: letter.error.message }))).toEqual([
      { key: poison.streamId, error: 'cannot handle this one' },
    ]);
  });
});
