import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { EventCodec } from '@evalvault/contracts';
import {
  migrateContentStore,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  type CommandContext,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { maintenanceStreamId } from '../domain/index.js';
import { composeMemoryParts, type MemoryParts } from '../memory.service.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from '../migrations/memory.migrations.js';

const DAY = 86_400_000;

/**
 * The scheduled maintenance job on the real PostgreSQL, with the default policy: stale and weak
 * facts forgotten (keys destroyed), near-duplicates consolidated, a conflict flagged and resolved
 * for the better-verified fact, scores decayed; one MemoryMaintenanceCompleted per pass, and a
 * project is not passed again before its interval.
 */
describe('memory maintenance', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let parts: MemoryParts;
  let clock = 0;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), MEMORY_SCHEMA, MEMORY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    parts = composeMemoryParts(
      { pool, dataSource, store, logger: pino({ level: 'silent' }) },
      { now: () => clock, newId: randomUUID },
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  it('decays, forgets, consolidates and resolves conflicts in one pass, once per interval', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const context: CommandContext = {
      tenantId,
      projectId: 'default',
      actor: { subject: 'system:test', authMethod: 'system', apiKeyId: null },
      correlationId: randomUUID(),
      causationId: null,
    };
    const propose = async (subject: string, predicate: string, object: string, score: number) => {
      const events = await parts.commands.propose(
        {
          subject,
          predicate,
          object,
          domain: 'geo',
          language: 'en',
          kind: 'inferred',
          score,
          sources: [{ kind: 'run', id: randomUUID(), runId: null }],
        },
        context,
      );
      return (events![0]!.payload as { factId: string }).factId;
    };
    const now = Date.now();
    clock = now - 400 * DAY;
    const stale = await propose('Old Town', 'has', 'a castle', 0.9);
    clock = now - 100 * DAY;
    const france = await propose('Paris', 'is the capital of', 'France', 0.9);
    const germany = await propose('Paris', 'is the capital of', 'Germany', 0.6);
    const kept = await propose('Berlin', 'is', 'the capital of the German Republic', 0.9);
    const merged = await propose('Berlin', 'is', 'capital of the German Republic', 0.5);
    const weak = await propose('Weakling', 'is', 'barely supported', 0.1);

    clock = now;
    expect(await parts.scheduler.tick(tenantId)).toBe(1);
    const [completed, ...more] = (await store.readStream(maintenanceStreamId(tenantId, 'default')))
      .map((r) => r.event)
      .filter((e) => e.type === 'MemoryMaintenanceCompleted');
    expect(more).toEqual([]);
    expect(completed!.payload).toEqual({
      decayed: 6,
      forgotten: 3, // stale, weak, and the one merged by consolidation
      consolidated: 1,
      conflictsResolved: 1,
      policyVersion: 0,
    });

    const rows: { fact_id: string; kind: string; verification_score: number }[] = await dataSource.query(
      `SELECT fact_id, kind, verification_score FROM memory.facts WHERE tenant_id = $1 ORDER BY fact_id`,
      [tenantId],
    );
    const byId = new Map(rows.map((row) => [row.fact_id, row]));
    expect([...byId.keys()].sort()).toEqual([france, germany, kept].sort());
    expect(byId.get(germany)!.kind).toBe('contradictory');
    expect(byId.get(france)!.kind).toBe('inferred');
    expect(Number(byId.get(france)!.verification_score)).toBeCloseTo(0.9 * 0.95 ** 3, 10);
    for (const gone of [stale, weak, merged])
      expect(await parts.keys.key(tenantId, gone, false)).toEqual({ state: 'destroyed' });

    // Not due again before policy.maintenance.intervalMinutes.
    clock = now + 30 * 60_000;
    expect(await parts.scheduler.tick(tenantId)).toBe(0);
    clock = now + 61 * 60_000;
    const again = await parts.commands.maintain(context, 'request');
    expect(again).toMatchObject({ forgotten: 0, consolidated: 0, conflictsResolved: 0 });
  });
});
