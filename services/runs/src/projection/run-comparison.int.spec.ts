import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { RunsProjection } from './runs.projection.js';
import { RunsQueries } from './runs.queries.js';
import { openReadModel, runHistory, runIdOf, type RunScenario } from './testing/run-history.js';

/** Two runs of one dataset in the read model, compared case by case. */
describe('runs read model: comparing two runs', () => {
  let dataSource: DataSource;
  let projection: RunsProjection;
  let queries: RunsQueries;

  beforeAll(async () => {
    dataSource = await openReadModel();
    projection = new RunsProjection(dataSource);
    queries = new RunsQueries(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
  });

  /** Projects a run; `drop` lowers the token_f1 of the cases it names by 0.3. */
  async function project(scenario: RunScenario, drop: readonly number[] = []): Promise<string> {
    const events = runHistory(scenario).map((event): EvalVaultEvent => {
      if (event.type !== 'CaseEvaluated' || !drop.includes(event.payload.caseIndex)) return event;
      const scores = event.payload.scores.map((score) => ({ ...score, score: score.score - 0.3 }));
      return { ...event, payload: { ...event.payload, scores } };
    });
    for (const event of events) await projection.apply(event);
    return runIdOf(events);
  }

  it('pairs the cases both runs evaluated and flags a significant drop as a regression', async () => {
    const tenantId = randomUUID();
    const base = await project({ tenantId, cases: 20, failing: [19] });
    const candidate = await project({ tenantId, cases: 20, failing: [0] }, [3, 5, 7, 9, 11, 13, 15, 17]);
    const comparison = await queries.compareRuns(tenantId, 'default', base, candidate);
    if ('missingRunId' in comparison) throw new Error(`run ${comparison.missingRunId} missing`);
    // Case 0 failed in the candidate and case 19 in the base: 18 shared cases, 8 of them lower by 0.3.
    expect(comparison.sharedCases).toBe(18);
    expect(comparison.regressions).toEqual(['token_f1']);
    const [tokenF1] = comparison.metrics;
    expect(tokenF1?.paired).toMatchObject({ cases: 18, verdict: 'regressed', test: { statistic: 0 } });
    expect(tokenF1?.paired?.meanDifference).toBeCloseTo((-0.3 * 8) / 18, 9);
    expect(tokenF1?.paired?.test.pValue).toBeLessThan(0.01);
    const dropped = ['case-3', 'case-5', 'case-7', 'case-9', 'case-11', 'case-13', 'case-15', 'case-17'];
    expect(tokenF1?.paired?.mostRegressed).toHaveLength(5);
    for (const change of tokenF1?.paired?.mostRegressed ?? []) {
      expect(dropped).toContain(change.caseId);
      expect(change.difference).toBeCloseTo(-0.3, 9);
    }
  });

  it('finds no change between a run and itself', async () => {
    const tenantId = randomUUID();
    const run = await project({ tenantId, cases: 6 });
    const comparison = await queries.compareRuns(tenantId, 'default', run, run);
    if ('missingRunId' in comparison) throw new Error('missing');
    expect(comparison).toMatchObject({ sharedCases: 6, regressions: [], configurationChanges: [] });
    expect(comparison.metrics[0]?.paired).toMatchObject({ meanDifference: 0, verdict: 'unchanged' });
  });

  it("names the run another tenant cannot see, without reading either run's cases", async () => {
    const tenantId = randomUUID();
    const mine = await project({ tenantId, cases: 2 });
    const theirs = await project({ tenantId: randomUUID(), cases: 2 });
    expect(await queries.compareRuns(tenantId, 'default', mine, theirs)).toEqual({ missingRunId: theirs });
    expect(await queries.compareRuns(tenantId, 'default', theirs, mine)).toEqual({ missingRunId: theirs });
  });
});
