import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { EventCodec, type ScheduledRunStarted } from '@evalvault/contracts';
import {
  envelop,
  migrateEventStore,
  PostgresEventStore,
  type CommandContext,
  type Subscription,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { RunCommands } from '../run/run.commands.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { RegisteredDatasets } from './registered-datasets.js';
import { ScheduleIndex } from './schedule-index.js';
import { ScheduleRepository, scheduleStreamId } from './schedule.repository.js';
import { Scheduler } from './scheduler.js';

const at = (iso: string): number => Date.parse(iso);

/**
 * Schedulers on the real event store (PostgreSQL) with a fake clock: two of them racing for the
 * same slot start one run; after downtime a schedule runs once for all its missed slots.
 */
describe('scheduler', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let clock: number;
  const subscriptions: Subscription[] = [];
  const created: Array<[string, CommandContext]> = [];
  const sources = { now: () => clock, newId: randomUUID };

  /** A scheduler as a process would have it: its own indexes and repositories over the shared store. */
  async function schedulerProcess(): Promise<Scheduler> {
    const index = new ScheduleIndex();
    const datasets = new RegisteredDatasets();
    const followed = [index.follow(store), datasets.follow(store)];
    subscriptions.push(...followed);
    await Promise.all(followed.map((subscription) => subscription.caughtUp()));
    const commands = new RunCommands(runRepository(store, sources), randomUUID);
    const logger = pino({ level: 'silent' });
    return new Scheduler(
      index,
      datasets,
      new ScheduleRepository(store, sources),
      commands,
      () => clock,
      randomUUID,
      logger,
    );
  }

  async function givenApprovedDataset(context: CommandContext, datasetId: string): Promise<void> {
    const registered = {
      type: 'DatasetVersionRegistered' as const,
      payload: {
        datasetId,
        name: 'qa',
        version: 1,
        contentHash: 'a'.repeat(64),
        format: 'jsonl',
        caseCount: 2,
        contentRef: 'k',
        description: null,
      },
    };
    const approved = {
      type: 'RegistryVersionApproved' as const,
      payload: { kind: 'dataset', resourceId: datasetId, version: 1, comment: null },
    };
    await store.append(
      `dataset-${datasetId}`,
      envelop(`dataset-${datasetId}`, [registered, approved], context, sources),
      'no_stream',
    );
  }

  async function givenSchedule(context: CommandContext, cron: string): Promise<string> {
    const scheduleId = randomUUID();
    const datasetId = randomUUID();
    await givenApprovedDataset(context, datasetId);
    const schedule = {
      scheduleId,
      name: 'hourly',
      cron,
      timeZone: 'UTC',
      datasetId,
      datasetVersion: null,
      metrics: ['token_f1'],
      gateRules: [],
      driftThreshold: 0.1,
      driftBaselineRuns: 3,
      notBefore: clock,
    };
    await new ScheduleRepository(store, sources).handle(
      scheduleStreamId(scheduleId),
      { type: 'CreateSchedule', schedule },
      context,
    );
    created.push([scheduleId, context]);
    return scheduleId;
  }

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'default',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: 'k1' },
    correlationId: randomUUID(),
    causationId: null,
  });

  const startedOf = async (scheduleId: string): Promise<ScheduledRunStarted['payload'][]> =>
    (await store.readStream(scheduleStreamId(scheduleId)))
      .map(({ event }) => event)
      .filter((event): event is ScheduledRunStarted => event.type === 'ScheduledRunStarted')
      .map((event) => event.payload);

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool, new EventCodec());
  });
  afterAll(async () => {
    for (const [scheduleId, context] of created)
      await new ScheduleRepository(store, sources).handle(
        scheduleStreamId(scheduleId),
        { type: 'DeleteSchedule' },
        context,
      );
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await store.close();
    await pool.end();
  });

  it('two schedulers racing for the same slot start one run', async () => {
    clock = at('2026-01-01T00:10:00Z');
    const scheduleId = await givenSchedule(context(), '0 * * * *');
    const [a, b] = [await schedulerProcess(), await schedulerProcess()];
    expect([...(await a.tick()), ...(await b.tick())]).toEqual([]); // nothing due before 01:00
    clock = at('2026-01-01T01:00:00.250Z');
    const results = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    const started = results.flat().filter((slot) => slot.scheduleId === scheduleId);
    expect(started).toHaveLength(1);
    expect(await startedOf(scheduleId)).toEqual([
      expect.objectContaining({ slot: at('2026-01-01T01:00:00Z'), runId: started[0]!.runId, skippedSlots: 0 }),
    ]);
    const run = await store.readStream(runStreamId(started[0]!.runId!));
    expect(run.map(({ event }) => event.type)).toEqual(['RunRequested']);
    expect(run[0]!.event.payload).toMatchObject({ labels: { 'evalvault.schedule': scheduleId } });
  });

  it("checks a scheduled run against the project's policy: a refused slot is recorded without a run", async () => {
    clock = at('2026-01-01T00:10:00Z');
    const ctx = context();
    const scheduleId = await givenSchedule(ctx, '0 * * * *');
    const policy = {
      revision: 1,
      allowedModels: null,
      allowedMetrics: ['exact_match'], // the schedule's token_f1 is not allowed
      dailyCapUsd: null,
      monthlyCapUsd: null,
      approvedVersionsOnly: false,
    };
    const changed = {
      type: 'ProjectPolicyChanged' as const,
      payload: { policy, changed: ['allowedMetrics'], reason: null },
    };
    const stream = `projectpolicy-${randomUUID()}`;
    await store.append(stream, envelop(stream, [changed], ctx, sources), 'no_stream');
    clock = at('2026-01-01T01:00:00Z');
    const scheduler = await schedulerProcess();
    expect((await scheduler.tick()).filter((slot) => slot.scheduleId === scheduleId)).toEqual([
      expect.objectContaining({ runId: null }),
    ]);
    expect(await startedOf(scheduleId)).toEqual([expect.objectContaining({ dataset: null })]);
    expect((await scheduler.tick()).filter((slot) => slot.scheduleId === scheduleId)).toEqual([]); // not retried
  });

  it('after downtime a schedule runs once for all the slots it missed, then waits for the next', async () => {
    clock = at('2026-01-01T00:10:00Z');
    const scheduleId = await givenSchedule(context(), '*/15 * * * *');
    clock = at('2026-01-01T02:40:00Z'); // down from 00:10 to 02:40: ten slots passed
    const scheduler = await schedulerProcess();
    const started = (await scheduler.tick()).filter((slot) => slot.scheduleId === scheduleId);
    expect(started).toEqual([expect.objectContaining({ slot: at('2026-01-01T02:30:00Z'), skippedSlots: 9 })]);
    await scheduler.tick();
    clock = at('2026-01-01T02:44:59Z');
    await scheduler.tick();
    expect(await startedOf(scheduleId)).toHaveLength(1);
    clock = at('2026-01-01T02:45:00Z');
    expect((await scheduler.tick()).filter((slot) => slot.scheduleId === scheduleId)).toHaveLength(1);
  });
});
