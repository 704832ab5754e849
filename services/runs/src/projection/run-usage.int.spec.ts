import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EvalVaultEvent, LlmUsage } from '@evalvault/contracts';
import { RUNS_READ_MODEL_CONSUMER, RunsProjection } from './runs.projection.js';
import { RunsQueries } from './runs.queries.js';
import { openReadModel, runHistory, runIdOf } from './testing/run-history.js';

const FAILED_CASE_USAGE: LlmUsage = {
  requests: 3,
  promptTokens: 900,
  completionTokens: 60,
  costUsd: 0.0375,
  cacheHits: 0,
};
const NONE = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHits: 0, costUsd: 0 };

/** run-history's evaluated cases use 1 request, 100 prompt and 20 completion tokens, $0.0125 each. */
const view = (usage: LlmUsage) => ({
  requests: usage.requests,
  promptTokens: usage.promptTokens,
  completionTokens: usage.completionTokens,
  totalTokens: usage.promptTokens + usage.completionTokens,
  cacheHits: usage.cacheHits,
  costUsd: expect.closeTo(usage.costUsd, 8),
});

/** A run's LLM usage in the read model: counted once per case, set by RunCompleted, zero without a judge. */
describe('runs read model: usage', () => {
  let dataSource: DataSource;
  let projection: RunsProjection;
  let queries: RunsQueries;
  const applyTwice = async (events: readonly EvalVaultEvent[]): Promise<void> => {
    for (const event of events) {
      await projection.apply(event);
      expect(await projection.apply(event)).toBe(false); // redelivered: the inbox has it
    }
  };
  const usageOf = async (tenant: string, runId: string) => (await queries.getRun(tenant, 'default', runId))!.usage;

  beforeAll(async () => {
    dataSource = await openReadModel();
    projection = new RunsProjection(dataSource);
    queries = new RunsQueries(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
  });

  it("sums the cases' usage as they come, each case once, and takes RunCompleted's totals", async () => {
    const tenant = randomUUID();
    const events = runHistory({ tenantId: tenant, cases: 4, failing: [3], outcome: 'passed' }).map((e) =>
      e.type === 'CaseFailed' ? { ...e, payload: { ...e.payload, usage: FAILED_CASE_USAGE } } : e,
    );
    const runId = runIdOf(events);
    const completion = events.findIndex((e) => e.type === 'RunCompleted');
    await applyTwice(events.slice(0, completion));
    // The same case again under another event id (the inbox cannot tell): the case row keeps it out.
    const failure = events.find((e) => e.type === 'CaseFailed')!;
    expect(await projection.apply({ ...failure, eventId: randomUUID() })).toBe(true);
    const running = { ...FAILED_CASE_USAGE };
    running.requests += 3;
    running.promptTokens += 300;
    running.completionTokens += 60;
    running.costUsd += 3 * 0.0125;
    expect(await usageOf(tenant, runId)).toEqual(view(running));

    const totals: LlmUsage = { requests: 7, promptTokens: 1_250, completionTokens: 130, costUsd: 0.08, cacheHits: 2 };
    const completed = events.map((e) =>
      e.type === 'RunCompleted' ? { ...e, payload: { ...e.payload, usage: totals } } : e,
    );
    await applyTwice(completed.slice(completion));
    const run = await queries.getRun(tenant, 'default', runId);
    expect(run!.usage).toEqual(view(totals));
    expect(run!.costUsd).toBeCloseTo(0.08, 8);
  });

  it('shows zero use for a run that made no LLM call', async () => {
    const tenant = randomUUID();
    const events = runHistory({ tenantId: tenant, cases: 2, outcome: 'failed' }).map((e): EvalVaultEvent => {
      if (e.type === 'CaseEvaluated') return { ...e, payload: { ...e.payload, usage: null } };
      return e.type === 'RunCompleted' ? { ...e, payload: { ...e.payload, usage: null } } : e;
    });
    await applyTwice(events);
    const run = await queries.getRun(tenant, 'default', runIdOf(events));
    expect(run).toMatchObject({ status: 'completed', costUsd: 0, usage: NONE });
  });

  it('shows no usage for a run recorded before usage was kept, until its completion or a rebuild', async () => {
    const tenant = randomUUID();
    const events = runHistory({ tenantId: tenant, cases: 3, outcome: 'passed' });
    const runId = runIdOf(events);
    await applyTwice(events);
    const rebuiltView = await queries.getRun(tenant, 'default', runId);
    expect(rebuiltView!.usage).toEqual(
      view({ requests: 3, promptTokens: 300, completionTokens: 60, costUsd: 0.0375, cacheHits: 0 }),
    );

    // As the migration leaves a row that was there: its usage unknown (NULL), not zero.
    const forgetUsage = () =>
      dataSource.query(
        `UPDATE "runs".runs SET llm_requests = NULL, prompt_tokens = NULL, completion_tokens = NULL, cache_hits = NULL
         WHERE tenant_id = $1`,
        [tenant],
      );
    await forgetUsage();
    expect(await usageOf(tenant, runId)).toBeNull();

    // A rebuild (its rows and inbox entries forgotten, every event applied again) fills it in.
    await dataSource.query(`DELETE FROM "runs".run_cases WHERE tenant_id = $1`, [tenant]);
    await dataSource.query(`DELETE FROM "runs".runs WHERE tenant_id = $1`, [tenant]);
    await dataSource.query(`DELETE FROM "runs".inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [
      RUNS_READ_MODEL_CONSUMER,
      events.map((e) => e.eventId),
    ]);
    await applyTwice(events);
    expect(await queries.getRun(tenant, 'default', runId)).toEqual(rebuiltView);

    // A run in flight across the upgrade: its cases leave it unknown, its completion brings the totals.
    const inFlight = runHistory({ tenantId: tenant, cases: 2, outcome: 'passed' });
    const [requested, started, ...rest] = inFlight;
    await applyTwice([requested!, started!]);
    await forgetUsage();
    const completion = rest.findIndex((e) => e.type === 'RunCompleted');
    await applyTwice(rest.slice(0, completion));
    expect(await usageOf(tenant, runIdOf(inFlight))).toBeNull();
    await applyTwice(rest.slice(completion));
    expect(await usageOf(tenant, runIdOf(inFlight))).toEqual(
      view({ requests: 2, promptTokens: 200, completionTokens: 40, costUsd: 0.025, cacheHits: 0 }),
    );
  });
});
