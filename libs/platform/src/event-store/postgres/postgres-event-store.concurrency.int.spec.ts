import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventCodec } from '@evalvault/contracts';
import { runStarted } from '@evalvault/contracts/testing';
import { testDatabaseUrl } from '../../testing/index.js';
import { formatPosition, START, type RecordedEvent } from '../event-store.port.js';
import { expectIncreasing } from '../testing/event-store.contract.js';
import { migrateEventStore } from './migrate.js';
import { PostgresEventStore } from './postgres-event-store.js';

/**
 * The global log under concurrent writers: a subscriber reading while N writers append
 * sees every event exactly once, in position order, including events whose transaction
 * took a position early but committed late (the case a bigserial reader skips).
 */
describe('PostgreSQL event store under concurrent writers', () => {
  const WRITERS = 8;
  const APPENDS_PER_WRITER = 40;
  const LATE_COMMITS = 6;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: WRITERS + LATE_COMMITS + 2 });
    store = new PostgresEventStore(pool, new EventCodec(), { pollIntervalMs: 20 });
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  /** Takes a sequence number now, commits after `holdMs`, exactly as an append would be stored. */
  async function lateCommit(
    prefix: string,
    tenant: string,
    holdMs: number,
    written: () => void = () => undefined,
  ): Promise<string> {
    const streamId = `${prefix}late-${randomUUID()}`;
    const event = runStarted(streamId, tenant);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO eventstore.streams VALUES ($1, 0, $2, 'default')`, [streamId, tenant]);
      await client.query(
        `INSERT INTO eventstore.events
           (stream_id, revision, event_id, event_type, tenant_id, project_id, occurred_at, data)
         VALUES ($1, 0, $2, 'RunStarted', $3, 'default', now(), $4)`,
        [streamId, event.eventId, tenant, new EventCodec().encode(event)],
      );
      written();
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      await client.query('COMMIT');
      return event.eventId;
    } finally {
      client.release();
    }
  }

  it('delivers every event exactly once, in order, to a subscriber reading during the writes', async () => {
    const prefix = `conc${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeAll(START, {
      filter: { streamPrefixes: [prefix] },
      handler: async (r) => {
        seen.push(r);
      },
    });

    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      const ids: string[] = [];
      for (let append = 0; append < APPENDS_PER_WRITER; append++) {
        const streamId = `${prefix}w${writer}-${append % 5}`;
        const batch = Array.from({ length: 1 + (append % 3) }, () => runStarted(streamId, tenant));
        await store.append(streamId, batch, 'any');
        ids.push(...batch.map((event) => event.eventId));
      }
      return ids;
    });
    const late = Array.from({ length: LATE_COMMITS }, (_, index) => lateCommit(prefix, tenant, 100 + index * 60));
    const written = [...(await Promise.all(writers)).flat(), ...(await Promise.all(late))];

    await subscription.caughtUp();
    await subscription.stop();
    const seenIds = seen.map((r) => r.event.eventId);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort()).toEqual([...written].sort());
    expectIncreasing(seen);
    console.log(
      `concurrency: ${written.length} events from ${WRITERS} writers + ${LATE_COMMITS} late commits ` +
        `seen once each, in order up to ${formatPosition(seen.at(-1)!.position)}`,
    );
  });

  it('shows why: a naive reader by sequence alone would have skipped a late commit', async () => {
    const prefix = `naive${randomUUID().slice(0, 8)}-`;
    const tenant = `tenant-${randomUUID()}`;
    // The early append starts once the late transaction holds its row (and so its xid); a fixed pause lost
    // that race on a loaded machine.
    let written!: () => void;
    const lateWritten = new Promise<void>((resolve) => (written = resolve));
    const late = lateCommit(prefix, tenant, 300, written);
    await lateWritten;
    const streamId = `${prefix}early`;
    await store.append(streamId, [runStarted(streamId, tenant)], 'no_stream');

    const naive = await pool.query<{ sequence: string }>(
      `SELECT sequence::text FROM eventstore.events WHERE stream_id LIKE $1 ORDER BY events.sequence`,
      [`${prefix}%`],
    );
    expect(naive.rows).toHaveLength(1); // the late transaction's lower sequence is not visible yet
    expect(await store.readAll(START, { filter: { streamPrefixes: [prefix] } })).toEqual([]); // ours waits for it
    await late;
    const after = await store.readAll(START, { filter: { streamPrefixes: [prefix] } });
    expect(after.map((r) => r.streamId)).toEqual([expect.stringContaining('late-'), streamId]);
  });
});
