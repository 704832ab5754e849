import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { caseEvaluatedPayload, evaluatedCases, type EvalVaultEvent } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { RUNS_READ_MODEL_CONSUMER, RunsProjection } from './runs.projection.js';
import { RunsQueries } from './runs.queries.js';
import { RAG_QA, openReadModel, runHistory, runIdOf } from './testing/run-history.js';

describe('runs read model: projection', () => {
  let dataSource: DataSource;
  let projection: RunsProjection;
  let queries: RunsQueries;
  const applyAll = async (events: readonly EvalVaultEvent[]): Promise<boolean[]> => {
    const results: boolean[] = [];
    for (const event of events) results.push(await projection.apply(event));
    return results;
  };

  beforeAll(async () => {
    dataSource = await openReadModel();
    projection = new RunsProjection(dataSource);
    queries = new RunsQueries(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
  });

  it('projects a whole run: request, start, cases, completion and a failed gate', async () => {
    const tenant = randomUUID();
    const events = runHistory({
      tenantId: tenant,
      cases: 3,
      failing: [1],
      outcome: 'failed',
      labels: { branch: 'main', ci: 'yes' },
    });
    const runId = runIdOf(events);
    expect(await applyAll(events)).toEqual(events.map(() => true));

    const run = await queries.getRun(tenant, 'default', runId);
    expect(run).toMatchObject({
      runId,
      projectId: 'default',
      status: 'completed',
      counts: { total: 3, evaluated: 2, failed: 1 },
      metrics: ['token_f1'],
      gateRules: ['mean(token_f1) >= 0.8'],
      configHash: 'c'.repeat(64),
      lineage: {
        dataset: RAG_QA,
        datasetKey: 'ds-rag-qa',
        prompt: { id: 'pr-answer', version: 2 },
        modelProfile: null,
      },
      labels: { branch: 'main', ci: 'yes' },
      retryOf: null,
      requestedBy: 'alice@example.com',
      requestedAt: '2026-11-26T09:00:00.000Z',
      startedAt: '2026-11-26T09:00:01.000Z',
      finishedAt: '2026-11-26T09:00:05.000Z',
      costUsd: 0.025,
      failure: null,
    });
    expect(run!.aggregates).toEqual([expect.objectContaining({ metric: 'token_f1', count: 2 })]);
    expect(run!.verdict).toBe('failed');
    expect(run!.gate).toEqual({
      passed: false,
      rules: [expect.objectContaining({ rule: 'mean(token_f1) >= 0.8', passed: false })],
      baselineRunId: null,
      baselineSource: null,
    });

    const cases = await queries.getCases(tenant, 'default', runId);
    expect(cases!.nextCursor).toBeNull();
    expect(cases!.items).toEqual([
      {
        caseIndex: 0,
        caseId: 'case-0',
        status: 'evaluated',
        durationMs: 10,
        error: null,
        scores: [{ metric: 'token_f1', score: 0.5, explanation: 'overlap of case 0' }],
      },
      {
        caseIndex: 1,
        caseId: 'case-1',
        status: 'failed',
        durationMs: null,
        scores: [],
        error: { code: 'MISSING_FIELD', reason: 'no answer', line: 2 },
      },
      expect.objectContaining({ caseIndex: 2, status: 'evaluated' }),
    ]);
    expect(
      (await queries.getCases(tenant, 'default', runId, { status: 'failed' }))!.items.map((c) => c.caseIndex),
    ).toEqual([1]);
  });

  it('shows the judge a run pinned, the baseline its gate compared with, and verdict none without a gate', async () => {
    const tenant = randomUUID();
    const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"baseUrl":null,"temperature":0}' };
    const withJudge = (events: EvalVaultEvent[], gateRules?: string[]): EvalVaultEvent[] =>
      events.map((event) =>
        event.type === 'RunRequested'
          ? { ...event, payload: { ...event.payload, judge, ...(gateRules ? { gateRules } : {}) } }
          : event,
      );
    const compared = withJudge(runHistory({ tenantId: tenant })).map((event) =>
      event.type === 'GatePassed' ? { ...event, payload: { ...event.payload, baselineRunId: 'run-0' } } : event,
    );
    const ungated = withJudge(runHistory({ tenantId: tenant }), []).filter((event) => event.type !== 'GatePassed');
    await applyAll([...compared, ...ungated]);

    const baselined = await queries.getRun(tenant, 'default', runIdOf(compared));
    expect(baselined).toMatchObject({ verdict: 'passed', gate: { passed: true, baselineRunId: 'run-0' } });
    expect(baselined!.lineage.judge).toEqual(judge);
    const none = await queries.getRun(tenant, 'default', runIdOf(ungated));
    expect(none).toMatchObject({ status: 'completed', gateRules: [], verdict: 'none', gate: null });
    const listed = await queries.listRuns(tenant, 'default');
    expect(listed.items.map((run) => run.verdict).sort()).toEqual(['none', 'passed']);
  });

  it('changes nothing when every event comes twice, and counts a case once even under a new event id', async () => {
    const tenant = randomUUID();
    const events = runHistory({ tenantId: tenant, cases: 4, failing: [3] });
    const runId = runIdOf(events);
    await applyAll(events);
    const once = {
      run: await queries.getRun(tenant, 'default', runId),
      cases: await queries.getCases(tenant, 'default', runId),
    };

    expect(await applyAll(events)).toEqual(events.map(() => false));
    const evaluated = events.find((event) => event.type === 'CaseEvaluated')!;
    // A re-scored case: recorded, not counted.
    expect(await projection.apply({ ...evaluated, eventId: randomUUID() })).toBe(true);

    expect(await queries.getRun(tenant, 'default', runId)).toEqual(once.run);
    expect(once.run!.counts).toEqual({ total: 4, evaluated: 3, failed: 1 });
    expect(await queries.getCases(tenant, 'default', runId)).toEqual(once.cases);
  });

  it('projects a batched CaseEvaluated (version 2) as one row per case, counting only new cases', async () => {
    const tenant = randomUUID();
    const events = runHistory({ tenantId: tenant, cases: 5, outcome: 'running' });
    const runId = runIdOf(events);
    const perCase = events.filter((e) => e.type === 'CaseEvaluated');
    await applyAll(events.filter((e) => e.type !== 'CaseEvaluated'));
    await applyAll([perCase[0]!]); // case 0 arrived alone before (a version 1 event)
    const cases = perCase.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []));
    const batched = { ...perCase[1]!, eventId: randomUUID(), payload: caseEvaluatedPayload(runId, cases) };
    expect(await projection.apply(batched)).toBe(true);

    const run = await queries.getRun(tenant, 'default', runId);
    expect(run!.counts).toEqual({ total: 5, evaluated: 5, failed: 0 });
    const rows = await queries.getCases(tenant, 'default', runId);
    expect(rows!.items.map((c) => c.caseIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('counts what a failed case paid for (CaseFailed version 2) in the running cost, once', async () => {
    const tenant = randomUUID();
    const usage = { requests: 3, promptTokens: 900, completionTokens: 60, costUsd: 0.0375, cacheHits: 0 };
    const events = runHistory({ tenantId: tenant, cases: 3, failing: [2], outcome: 'running' }).map((e) =>
      e.type === 'CaseFailed' ? { ...e, payload: { ...e.payload, usage } } : e,
    );
    const runId = runIdOf(events);
    await applyAll(events);
    const failure = events.find((e) => e.type === 'CaseFailed')!;
    expect(await projection.apply({ ...failure, eventId: randomUUID() })).toBe(true); // the same case again

    const run = await queries.getRun(tenant, 'default', runId);
    expect(run!.counts).toEqual({ total: 3, evaluated: 2, failed: 1 });
    expect(run!.costUsd).toBeCloseTo(2 * 0.0125 + 0.0375, 8);
  });

  it('ignores event types it does not project', async () => {
    const event = testEvent('DatasetVersionRegistered', {
      datasetId: 'ds',
      name: 'x',
      version: 1,
      contentHash: 'e'.repeat(64),
      format: 'jsonl',
      caseCount: 1,
      contentRef: 'blob',
      description: null,
    });
    expect(await projection.apply(event)).toBe(false);
  });

  it('never shows a run to another tenant or project, and never lets their events touch it', async () => {
    const [tenant, intruder] = [randomUUID(), randomUUID()];
    const events = runHistory({ tenantId: tenant, outcome: 'running' });
    const runId = runIdOf(events);
    await applyAll(events);
    expect(await queries.getRun(intruder, 'default', runId)).toBeNull();
    expect(await queries.getRun(tenant, 'other-project', runId)).toBeNull();
    expect(await queries.getCases(intruder, 'default', runId)).toBeNull();

    const before = await queries.getRun(tenant, 'default', runId);
    const hostile = runHistory({ tenantId: intruder, runId, outcome: 'cancelled', cases: 5 });
    await applyAll(hostile);
    expect(await queries.getRun(tenant, 'default', runId)).toEqual(before);
    expect(await queries.getRun(intruder, 'default', runId)).toBeNull();
  });

  it('reports why a run failed or was cancelled', async () => {
    const tenant = randomUUID();
    const failed = runHistory({ tenantId: tenant, outcome: 'run-failed' });
    const cancelled = runHistory({ tenantId: tenant, outcome: 'cancelled' });
    await applyAll([...failed, ...cancelled]);
    expect(await queries.getRun(tenant, 'default', runIdOf(failed))).toMatchObject({
      status: 'failed',
      gate: null,
      aggregates: [],
      failure: { reason: 'budget', message: 'project budget exhausted' },
    });
    expect(await queries.getRun(tenant, 'default', runIdOf(cancelled))).toMatchObject({
      status: 'cancelled',
      failure: { reason: 'cancelled', message: 'superseded' },
    });
  });

  describe('rebuild', () => {
    // The shared database holds other tests' rows: forget only this tenant's rows and
    // this read model's inbox entries for its events, as a full rebuild would for all.
    async function forget(tenant: string, events: readonly EvalVaultEvent[]): Promise<void> {
      await dataSource.query(`DELETE FROM "runs".run_cases WHERE tenant_id = $1`, [tenant]);
      await dataSource.query(`DELETE FROM "runs".runs WHERE tenant_id = $1`, [tenant]);
      await dataSource.query(`DELETE FROM "runs".inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [
        RUNS_READ_MODEL_CONSUMER,
        events.map((e) => e.eventId),
      ]);
    }
    async function views(tenant: string, runIds: string[]): Promise<unknown> {
      return {
        list: await queries.listRuns(tenant, 'default', { limit: 100 }),
        runs: await Promise.all(runIds.map((runId) => queries.getRun(tenant, 'default', runId))),
        cases: await Promise.all(runIds.map((runId) => queries.getCases(tenant, 'default', runId))),
        baseline: await queries.findBaseline(tenant, 'default', 'ds-rag-qa', null),
      };
    }
    const t0 = Date.UTC(2026, 10, 1);
    const histories = (tenant: string): EvalVaultEvent[][] => [
      runHistory({ tenantId: tenant, requestedAt: t0, outcome: 'passed', failing: [0] }),
      runHistory({ tenantId: tenant, requestedAt: t0 + 60_000, outcome: 'failed' }),
      runHistory({ tenantId: tenant, requestedAt: t0 + 120_000, outcome: 'cancelled' }),
    ];

    it('gives the same views when the read model is dropped and every event re-applied', async () => {
      const tenant = randomUUID();
      const runs = histories(tenant);
      const all = runs.flat();
      await applyAll(all);
      const first = await views(tenant, runs.map(runIdOf));
      await forget(tenant, all);
      expect(await queries.getRun(tenant, 'default', runIdOf(runs[0]!))).toBeNull();
      expect(await applyAll(all)).toEqual(all.map(() => true));
      expect(await views(tenant, runs.map(runIdOf))).toEqual(first);
    });

    it('gives the same views when gate verdicts overtake their runs (they travel on another topic)', async () => {
      const tenant = randomUUID();
      const runs = histories(tenant);
      const all = runs.flat();
      await applyAll(all);
      const inOrder = await views(tenant, runs.map(runIdOf));
      await forget(tenant, all);
      const isVerdict = (e: EvalVaultEvent): boolean => e.type === 'GatePassed' || e.type === 'GateFailed';
      await applyAll(all.filter(isVerdict));
      expect(await queries.getRun(tenant, 'default', runIdOf(runs[0]!))).toBeNull(); // a verdict alone is no run yet
      expect((await queries.listRuns(tenant, 'default')).items).toEqual([]);
      await applyAll(all.filter((e) => !isVerdict(e)));
      expect(await views(tenant, runs.map(runIdOf))).toEqual(inOrder);
    });
  });
});
