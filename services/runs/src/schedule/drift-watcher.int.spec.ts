import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { EventCodec, type EvalVaultEvent, type RunCompleted } from '@evalvault/contracts';
import { migrateEventStore, PostgresEventStore, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { RunsProjection, RunsQueries } from '../projection/index.js';
import { openReadModel, runHistory, runIdOf } from '../projection/testing/run-history.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { DriftWatcher } from './drift-watcher.js';
import { SCHEDULE_LABEL, ScheduleRepository, scheduleStreamId } from './schedule.repository.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 0, 0);

/**
 * The drift watcher on the real event store and runs read model (PostgreSQL): scheduled runs' case
 * scores come through run comparison's query, a degradation raises one DriftDetected with the paired
 * figures, a lasting one nothing more, the recovery DriftResolved; a run the read model has not
 * completed yet is refused (so the message is retried).
 */
describe('drift watcher', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let projection: RunsProjection;
  let watcher: DriftWatcher;
  let schedules: ScheduleRepository;
  const sources = { now: () => Date.now(), newId: randomUUID };

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await openReadModel();
    projection = new RunsProjection(dataSource);
    schedules = new ScheduleRepository(store, sources);
    const logger = pino({ level: 'silent' });
    watcher = new DriftWatcher(runRepository(store, sources), schedules, new RunsQueries(dataSource), logger);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await pool.end();
  });

  const contextOf = (tenantId: string): CommandContext => ({
    tenantId,
    projectId: 'default',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: 'k1' },
    correlationId: randomUUID(),
    causationId: null,
  });

  async function givenSchedule(context: CommandContext): Promise<string> {
    const scheduleId = randomUUID();
    const schedule = {
      scheduleId,
      name: 'every minute',
      cron: '* * * * *',
      timeZone: 'UTC',
      datasetId: 'ds-rag-qa',
      datasetVersion: null,
      metrics: ['token_f1'],
      gateRules: [],
      driftThreshold: 0.1,
      driftBaselineRuns: 2,
      notBefore: T0,
    };
    await schedules.handle(scheduleStreamId(scheduleId), { type: 'CreateSchedule', schedule }, context);
    return scheduleId;
  }

  /** The schedule's next slot runs a run with these token_f1 scores (case-0…); `failing` cases fail. */
  async function scheduledRun(
    context: CommandContext,
    scheduleId: string,
    slot: number,
    scores: readonly number[],
    options: { failing?: number[]; project?: 'all' | 'until-completed' } = {},
  ): Promise<RunCompleted> {
    const history = runHistory({
      tenantId: context.tenantId,
      labels: { [SCHEDULE_LABEL]: scheduleId },
      cases: scores.length,
      failing: options.failing ?? [],
      requestedAt: T0 + slot * MINUTE,
    });
    const events = history.map((event): EvalVaultEvent => {
      if (event.type !== 'CaseEvaluated') return event;
      const score = { ...event.payload.scores[0]!, score: scores[event.payload.caseIndex]! };
      return { ...event, payload: { ...event.payload, scores: [score] } };
    });
    const runId = runIdOf(events);
    await store.append(runStreamId(runId), events, 'no_stream');
    const dataset = { id: 'ds-rag-qa', name: 'rag-qa', version: 3, contentHash: 'a'.repeat(64) };
    const startSlot = { type: 'StartSlot' as const, now: T0 + slot * MINUTE + 1000, runId, dataset };
    await schedules.handle(scheduleStreamId(scheduleId), startSlot, context);
    const completedAt = events.findIndex((event) => event.type === 'RunCompleted');
    const projected = options.project === 'until-completed' ? events.slice(0, completedAt) : events;
    for (const event of projected) await projection.apply(event);
    return events[completedAt] as RunCompleted;
  }

  const driftsOf = async (scheduleId: string) =>
    (await store.readStream(scheduleStreamId(scheduleId)))
      .map(({ event }) => event)
      .filter((event) => event.type === 'DriftDetected' || event.type === 'DriftResolved');

  it('raises one DriftDetected for a degradation, nothing more while it lasts, DriftResolved on recovery', async () => {
    const context = contextOf(`tenant-${randomUUID()}`);
    const scheduleId = await givenSchedule(context);
    const healthy = new Array<number>(8).fill(0.875);
    // Eight distinct drops 0.3125 + k/64; case-7 fails in the first degraded run, so 7 cases pair there.
    const degraded = healthy.map((score, k) => score - 0.3125 - k / 64);
    const runs = [
      await scheduledRun(context, scheduleId, 1, healthy),
      await scheduledRun(context, scheduleId, 2, healthy),
      await scheduledRun(context, scheduleId, 3, degraded, { failing: [7] }),
      await scheduledRun(context, scheduleId, 4, degraded),
      await scheduledRun(context, scheduleId, 5, healthy),
    ];
    for (const completed of runs) await watcher.onRunCompleted(completed);
    const [r1, r2, r3, , r5] = runs.map((completed) => completed.payload.runId);
    const drifts = await driftsOf(scheduleId);
    expect(drifts.map((event) => [event.type, event.payload.runId])).toEqual([
      ['DriftDetected', r3],
      ['DriftResolved', r5],
    ]);
    expect(drifts[0]?.payload).toMatchObject({
      metric: 'token_f1',
      baseline: 0.875,
      baselineRunIds: [r1, r2],
      pairedCases: 7,
      pValue: 2 / 2 ** 7, // seven negative, distinct differences: exact two-sided p
      effectSize: { rankBiserial: -1 },
    });
    expect(drifts[0]?.payload).toHaveProperty('drop', expect.closeTo(0.3125 + 3 / 64, 9));
    expect(drifts[1]?.payload).toMatchObject({ detectedByRunId: r3, pValue: 1, meanDifference: 0 });
  });

  it('refuses a run the read model has not completed yet, so that its message is retried', async () => {
    const context = contextOf(`tenant-${randomUUID()}`);
    const scheduleId = await givenSchedule(context);
    const completed = await scheduledRun(context, scheduleId, 1, [0.5, 0.5], { project: 'until-completed' });
    await expect(watcher.onRunCompleted(completed)).rejects.toThrow(/not completed in the read model yet/);
    expect(await driftsOf(scheduleId)).toEqual([]);
  });
});
