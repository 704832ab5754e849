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
 * facts and behaviours forgotten (keys destroyed), near-duplicates consolidated, a conflict flagged and resolved
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
    const source = () => ({ kind: 'case' as const, id: randomUUID(), runId: null });
    const behave = async (trigger: string, failures: number) => {
      const behaviourId = randomUUID().replaceAll('-', '');
      const sealed = (await parts.commands.sealBehaviour(tenantId, behaviourId, trigger, 'answer from the runbook'))!;
      const behaviour = { behaviourId, keyId: behaviourId, sealed, successRate: 1, useCount: 1, tokensSaved: 0 };
      await parts.commands.behaviour(
        behaviourId,
        { type: 'RecordBehaviour', behaviour: { ...behaviour, sources: [source()] } },
        context,
      );
      for (let i = 0; i < failures; i++) {
        const observe = { type: 'ObserveBehaviour' as const, succeeded: false, tokensSaved: 0, source: source() };
        await parts.commands.behaviour(behaviourId, { ...observe, behaviourId }, context);
      }
      return behaviourId;
    };
    const now = Date.now();
    clock = now - 400 * DAY;
    const stale = await propose('Old Town', 'has', 'a castle', 0.9);
    const idleBehaviour = await behave('question_type:legacy', 0);
    clock = now - 100 * DAY;
    const france = await propose('Paris', 'is the capital of', 'France', 0.9);
    const germany = await propose('Paris', 'is the capital of', 'Germany', 0.6);
    const kept = await propose('Berlin', 'is', 'the capital of the German Republic', 0.9);
    const merged = await propose('Berlin', 'is', 'capital of the German Republic', 0.5);
    const weak = await propose('Weakling', 'is', 'barely supported', 0.1);
    const weakBehaviour = await behave('question_type:how', 5); // 1 success in 6 uses: 0.1667 < 0.2
    const goodBehaviour = await behave('question_type:what', 4); // 1 in 5: exactly 0.2, kept

    clock = now;
    expect(await parts.scheduler.tick(tenantId)).toBe(1);
    const [completed, ...more] = (await store.readStream(maintenanceStreamId(tenantId, 'default')))
      .map((r) => r.event)
      .filter((e) => e.type === 'MemoryMaintenanceCompleted');
    expect(more).toEqual([]);
    expect(completed!.payload).toEqual({
      decayed: 6,
      forgotten: 5, // stale, weak, the one merged by consolidation, a stale and a weak behaviour
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
    for (const gone of [stale, weak, merged, idleBehaviour, weakBehaviour])
      expect(await parts.keys.key(tenantId, gone, false)).toEqual({ state: 'destroyed' });
    const behaviours: { behaviour_id: string }[] = await dataSource.query(
      `SELECT behaviour_id FROM memory.behaviours WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(behaviours.map((row) => row.behaviour_id)).toEqual([goodBehaviour]);

    // Not due again before policy.maintenance.intervalMinutes.
    clock = now + 30 * 60_000;
    expect(await parts.scheduler.tick(tenantId)).toBe(0);
    clock = now + 61 * 60_000;
    const again = await parts.commands.maintain(context, 'request');
    expect(again).toMatchObject({ forgotten: 0, consolidated: 0, conflictsResolved: 0 });
  });

  it('two replicas ticking at once pass a due project once', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const context: CommandContext = {
      tenantId,
      projectId: 'default',
      actor: { subject: 'system:test', authMethod: 'system', apiKeyId: null },
      correlationId: randomUUID(),
      causationId: null,
    };
    clock = Date.now();
    const fact = { subject: 'Oslo', predicate: 'is in', object: 'Norway', domain: 'geo', language: 'en' };
    const sources = [{ kind: 'run' as const, id: randomUUID(), runId: null }];
    await parts.commands.propose({ ...fact, kind: 'inferred', score: 0.9, sources }, context);
    const replica = composeMemoryParts(
      { pool, dataSource, store, logger: pino({ level: 'silent' }) },
      { now: () => clock, newId: randomUUID },
    );
    const passes = await Promise.all([parts.scheduler.tick(tenantId), replica.scheduler.tick(tenantId)]);
    expect(passes.sort()).toEqual([0, 1]);
    const completed = (await store.readStream(maintenanceStreamId(tenantId, 'default'))).filter(
      (record) => record.event.type === 'MemoryMaintenanceCompleted',
    );
    expect(completed).toHaveLength(1);
  });
});
