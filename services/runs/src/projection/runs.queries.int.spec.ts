import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EvalVaultEvent, VersionRef } from '@evalvault/contracts';
import { RunsProjection } from './runs.projection.js';
import { RunsQueries } from './runs.queries.js';
import { encodeCasesCursor } from './cursor.js';
import { openReadModel, runHistory, runIdOf, type RunScenario } from './testing/run-history.js';

describe('runs read model: queries', () => {
  let dataSource: DataSource;
  let projection: RunsProjection;
  let queries: RunsQueries;
  const t0 = Date.UTC(2026, 9, 1);
  const minutes = (n: number): number => t0 + n * 60_000;

  async function project(scenario: RunScenario): Promise<string> {
    const events: EvalVaultEvent[] = runHistory(scenario);
    for (const event of events) await projection.apply(event);
    return runIdOf(events);
  }

  beforeAll(async () => {
    dataSource = await openReadModel();
    projection = new RunsProjection(dataSource);
    queries = new RunsQueries(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
  });

  describe('listRuns', () => {
    it('pages 25 runs by 10 in three stable pages, newest first, ties broken by run id', async () => {
      const tenant = randomUUID();
      // Pairs of runs share a request time, so the run id has to order them.
      const ids = await Promise.all(
        Array.from({ length: 25 }, (_, n) =>
          project({ tenantId: tenant, requestedAt: minutes(Math.floor(n / 2)), outcome: 'running', cases: 1 }),
        ),
      );
      const expected = ids
        .map((runId, n) => ({ runId, at: minutes(Math.floor(n / 2)) }))
        .sort((a, b) => b.at - a.at || (a.runId < b.runId ? 1 : -1))
        .map((run) => run.runId);

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await queries.listRuns(tenant, 'default', { limit: 10, ...(cursor ? { cursor } : {}) });
        pages.push(page.items.map((item) => item.runId));
        cursor = page.nextCursor ?? undefined;
        // A newer run arrives mid-listing.
        if (pages.length === 1) await project({ tenantId: tenant, requestedAt: minutes(100), outcome: 'running' });
      } while (cursor);
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(expected);
      expect(new Set(pages.flat()).size).toBe(25);
      expect((await queries.listRuns(tenant, 'default')).items).toHaveLength(20); // default limit
      expect((await queries.listRuns(tenant, 'default', { limit: 1000 })).items).toHaveLength(26); // capped at 100
    });

    it('filters by status, dataset key and label, alone and together', async () => {
      const tenant = randomUUID();
      const other: VersionRef = { id: 'ds-other', name: 'other', version: 1, contentHash: 'f'.repeat(64) };
      const a = await project({ tenantId: tenant, requestedAt: minutes(1), labels: { branch: 'main' } });
      const b = await project({
        tenantId: tenant,
        requestedAt: minutes(2),
        labels: { branch: 'feature=x' },
        outcome: 'running',
      });
      const c = await project({
        tenantId: tenant,
        requestedAt: minutes(3),
        dataset: other,
        labels: { branch: 'main', nightly: 'true' },
      });
      const list = async (options: Parameters<RunsQueries['listRuns']>[2]): Promise<string[]> =>
        (await queries.listRuns(tenant, 'default', options)).items.map((item) => item.runId);
      expect(await list({ status: 'completed' })).toEqual([c, a]);
      expect(await list({ status: 'running' })).toEqual([b]);
      expect(await list({ datasetKey: 'ds-rag-qa' })).toEqual([b, a]);
      expect(await list({ label: 'branch=main' })).toEqual([c, a]);
      expect(await list({ label: 'branch=feature=x' })).toEqual([b]); // the value may contain '='
      expect(await list({ label: 'branch=main', datasetKey: 'ds-other', status: 'completed' })).toEqual([c]);
      expect((await queries.listRuns(tenant, 'default', { status: 'completed' })).items[0]).toMatchObject({
        runId: c,
        datasetKey: 'ds-other',
        datasetName: 'other',
        datasetVersion: 1,
        gatePassed: true,
        counts: { total: 3, evaluated: 3, failed: 0 },
        requestedAt: new Date(minutes(3)).toISOString(),
      });
      await expect(queries.listRuns(tenant, 'default', { label: 'branch' })).rejects.toMatchObject({
        code: 'INVALID_FILTER',
      });
      await expect(queries.listRuns(tenant, 'default', { status: 'done' as never })).rejects.toMatchObject({
        code: 'INVALID_FILTER',
      });
      await expect(queries.listRuns(tenant, 'default', { limit: 0 })).rejects.toMatchObject({ code: 'INVALID_LIMIT' });
      expect(await queries.listRuns(randomUUID(), 'default')).toEqual({ items: [], nextCursor: null });
    });

    it('rejects a cursor it did not hand out', async () => {
      const tenant = randomUUID();
      const bad = [
        'not a cursor',
        'e30',
        Buffer.from('{"k":"runs","at":"yesterday","id":"x"}').toString('base64url'),
        encodeCasesCursor(3),
        '%%%',
      ];
      for (const cursor of bad) {
        await expect(queries.listRuns(tenant, 'default', { cursor })).rejects.toMatchObject({
          name: 'RunsQueryError',
          code: 'INVALID_CURSOR',
        });
      }
    });

    it('treats injection-like ids and filters as plain values', async () => {
      const tenant = randomUUID();
      const hostile: VersionRef = {
        id: 'inline',
        name: "x'; DROP TABLE runs.runs; --",
        version: null,
        contentHash: 'a'.repeat(64),
      };
      const runId = await project({ tenantId: tenant, dataset: hostile, labels: { note: "' OR '1'='1" } });
      expect(await queries.getRun(tenant, 'default', "' OR '1'='1")).toBeNull();
      expect(await queries.getRun("' OR ''='", "' OR ''='", runId)).toBeNull();
      expect((await queries.listRuns(tenant, 'default', { datasetKey: "' OR 1=1 --" })).items).toEqual([]);
      expect(
        (await queries.listRuns(tenant, 'default', { datasetKey: "name:x'; DROP TABLE runs.runs; --" })).items.map(
          (r) => r.runId,
        ),
      ).toEqual([runId]);
      expect(
        (await queries.listRuns(tenant, 'default', { label: "note=' OR '1'='1" })).items.map((r) => r.runId),
      ).toEqual([runId]);
      expect(await queries.getRun(tenant, 'default', runId)).toMatchObject({
        lineage: { dataset: hostile, datasetKey: "name:x'; DROP TABLE runs.runs; --" },
      });
    });
  });

  it('pages the cases of a run in dataset order', async () => {
    const tenant = randomUUID();
    const runId = await project({ tenantId: tenant, cases: 5, failing: [1, 4] });
    const first = await queries.getCases(tenant, 'default', runId, { limit: 2 });
    const second = await queries.getCases(tenant, 'default', runId, { limit: 2, cursor: first!.nextCursor! });
    const third = await queries.getCases(tenant, 'default', runId, { limit: 2, cursor: second!.nextCursor! });
    expect([first, second, third].map((page) => page!.items.map((item) => item.caseIndex))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
    expect(third!.nextCursor).toBeNull();
    expect(
      (await queries.getCases(tenant, 'default', runId, { status: 'failed' }))!.items.map((item) => item.caseIndex),
    ).toEqual([1, 4]);
    await expect(queries.getCases(tenant, 'default', runId, { cursor: 'bogus!' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    expect(await queries.getCases(tenant, 'default', randomUUID())).toBeNull();
  });

  describe('findBaseline', () => {
    it('picks the latest passing completed run of the same dataset in the same project', async () => {
      const tenant = randomUUID();
      const other: VersionRef = { id: 'ds-other', name: 'other', version: 1, contentHash: 'f'.repeat(64) };
      await project({ tenantId: tenant, requestedAt: minutes(1), outcome: 'passed' });
      const latestPassing = await project({
        tenantId: tenant,
        requestedAt: minutes(2),
        outcome: 'passed',
        failing: [1],
      });
      await project({ tenantId: tenant, requestedAt: minutes(3), outcome: 'failed' });
      await project({ tenantId: tenant, requestedAt: minutes(4), outcome: 'run-failed' });
      await project({ tenantId: tenant, requestedAt: minutes(5), outcome: 'passed', dataset: other });
      await project({ tenantId: tenant, requestedAt: minutes(6), outcome: 'passed', projectId: 'another-project' });
      await project({ tenantId: randomUUID(), requestedAt: minutes(7), outcome: 'passed' });
      const current = await project({ tenantId: tenant, requestedAt: minutes(8), outcome: 'passed' });

      const baseline = await queries.findBaseline(tenant, 'default', 'ds-rag-qa', current);
      // Its evaluated cases' scores, in case order (case 1 failed): what every baseline aggregate is computed from.
      expect(baseline).toEqual({ runId: latestPassing, scores: new Map([['token_f1', [0.5, 0.52]]]) });
      expect((await queries.findBaseline(tenant, 'default', 'ds-rag-qa', null))!.runId).toBe(current);
      expect(await queries.findBaseline(tenant, 'default', 'ds-nowhere', null)).toBeNull();
      expect(await queries.findBaseline(randomUUID(), 'default', 'ds-rag-qa', null)).toBeNull();
    });

    it('finds inline datasets by name', async () => {
      const tenant = randomUUID();
      const inline: VersionRef = { id: randomUUID(), name: 'smoke', version: null, contentHash: 'a'.repeat(64) };
      const runId = await project({ tenantId: tenant, dataset: inline, outcome: 'passed' });
      expect((await queries.findBaseline(tenant, 'default', 'name:smoke', null))?.runId).toBe(runId);
    });
  });
});
