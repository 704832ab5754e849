import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { caseEvaluatedPayload, EventCodec, type EvalVaultEvent, type RunCompleted } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import {
  migrateContentStore,
  migrateEventStore,
  PostgresContentStore,
  PostgresEventStore,
  runMigrations,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { DEFAULT_MEMORY_POLICY } from '../domain/index.js';
import { composeMemoryParts, type MemoryParts } from '../memory.service.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from '../migrations/memory.migrations.js';

/**
 * Formation from a registered dataset: its cases streamed from the content store by the hash the
 * run pinned, joined with the scores kept since RunRequested; failed cases and failed gates feed
 * the patterns and insights; a run forms once; the next run of the dataset is compared with the
 * baseline the first one established.
 */
describe('memory formation from a registered dataset', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let content: PostgresContentStore;
  let parts: MemoryParts;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), MEMORY_SCHEMA, MEMORY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    content = new PostgresContentStore(pool);
    parts = composeMemoryParts({ pool, dataSource, store, logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  const lines = [
    {
      id: 'vpn',
      question: 'How do I reach the intranet from home?',
      answer: 'The VPN client uses two-factor login.',
      contexts: ['The VPN client uses two-factor login.'],
      metadata: { domain: 'it', entityType: 'software' },
    },
    {
      id: 'print',
      question: 'Why does the printer jam?',
      answer: 'Nobody knows.',
      contexts: [],
    },
    { id: 'broken', question: 'Who approves leave?', answer: 'HR.', contexts: ['x', 'y'] },
  ];

  async function run(tenantId: string, hash: string, faithfulness: [number, number]): Promise<RunCompleted> {
    const requested = sampleRunRequested();
    const runId = requested.payload.runId;
    const envelope = { tenantId, projectId: 'default', streamId: `run-${runId}` };
    const events: EvalVaultEvent[] = [
      {
        ...requested,
        ...envelope,
        payload: {
          ...requested.payload,
          dataset: { id: 'ds-helpdesk', name: 'helpdesk', version: 2, contentHash: hash },
          metrics: ['faithfulness', 'answer_relevancy'],
          inlineCases: null,
        },
      },
      testEvent(
        'CaseEvaluated',
        caseEvaluatedPayload(runId, [
          {
            caseId: 'vpn',
            caseIndex: 0,
            scores: [
              { metric: 'faithfulness', score: faithfulness[0], explanation: '' },
              { metric: 'answer_relevancy', score: 0.95, explanation: '' },
            ],
            durationMs: 1,
            usage: null,
          },
          {
            caseId: 'print',
            caseIndex: 1,
            scores: [
              { metric: 'faithfulness', score: faithfulness[1], explanation: '' },
              { metric: 'answer_relevancy', score: 0.4, explanation: '' },
            ],
            durationMs: 1,
            usage: null,
          },
        ]),
        envelope,
      ),
      testEvent(
        'CaseFailed',
        { runId, caseId: 'broken', caseIndex: 2, line: 3, errorCode: 'JUDGE_FAILED', reason: 'x', usage: null },
        envelope,
      ),
    ];
    for (const event of events) await parts.tracker.apply(event);
    const subject = { runId, dataset: events[0]!.payload as never, prompt: null, modelProfile: null, configHash: 'c' };
    await parts.tracker.apply(
      testEvent(
        'GateFailed',
        {
          gateId: 'gate-1',
          subject: { ...subject, dataset: { id: 'ds-helpdesk', name: 'helpdesk', version: 2, contentHash: hash } },
          rules: [
            {
              rule: 'mean(faithfulness) >= 0.9',
              metric: 'faithfulness',
              aggregate: 'mean',
              comparator: '>=',
              threshold: 0.9,
              actual: 0.6,
              passed: false,
              baselineValue: null,
              noBaseline: false,
            },
          ],
          baselineRunId: null,
          baselineSource: null,
        },
        { tenantId, projectId: 'default', streamId: `gate-${runId}` },
      ),
    );
    const mean = (faithfulness[0] + faithfulness[1]) / 2;
    const aggregate = (metric: string, m: number) => ({
      metric,
      count: 2,
      mean: m,
      min: 0,
      max: 1,
      p10: m,
      p50: m,
      p90: m,
    });
    return testEvent(
      'RunCompleted',
      {
        runId,
        totalCases: 3,
        evaluatedCases: 2,
        failedCases: 1,
        aggregates: [aggregate('faithfulness', mean), aggregate('answer_relevancy', 0.675)],
        durationMs: 5,
        usage: null,
      },
      envelope,
    );
  }

  it('forms facts, behaviours, learnings and insights once per run', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const scope = { tenantId, projectId: 'default' };
    const { hash } = await content.put(lines.map((line) => JSON.stringify(line)).join('\n') + '\n');

    const first = await run(tenantId, hash, [0.9, 0.3]);
    expect(await parts.formation.formRun(first)).toBe('formed');
    expect(await parts.formation.formRun(first)).toBe('skipped');

    const facts = await parts.queries.searchFacts(scope, {}, DEFAULT_MEMORY_POLICY);
    expect(facts.items.map((f) => [f.subject, f.predicate, f.object, f.domain])).toEqual([
      ['The VPN client', 'uses', 'two-factor login', 'it'],
    ]);
    const behaviours = await parts.queries.searchBehaviours(scope, {}, DEFAULT_MEMORY_POLICY);
    expect(behaviours.items).toHaveLength(1);
    expect(behaviours.items[0]!.trigger).toMatch(/^how:/);
    const learnings = await parts.queries.listLearnings(scope, { dataset: 'ds-helpdesk' });
    expect(learnings.items.map((l) => l.metric).sort()).toEqual(['answer_relevancy', 'faithfulness']);
    const faithfulness = learnings.items.find((l) => l.metric === 'faithfulness')!;
    expect(faithfulness.baseline).toMatchObject({ count: 1, mean: 0.6, passRate: 0.5 });
    expect(faithfulness.failurePatterns).toEqual(
      expect.arrayContaining([expect.objectContaining({ dimension: 'question_type', value: 'why' })]),
    );
    expect(faithfulness.reliability).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'entity', name: 'software' })]),
    );
    const insights = await parts.queries.runInsights(scope, first.payload.runId);
    expect(insights.trends.map((t) => t.direction)).toEqual(['no baseline', 'no baseline']);
    expect((insights as unknown as { gateFailures: { gateId: string }[] }).gateFailures).toEqual([
      expect.objectContaining({ gateId: 'gate-1' }),
    ]);
    const left: unknown[] = await dataSource.query(`SELECT 1 FROM memory.run_cases WHERE tenant_id = $1`, [tenantId]);
    expect(left).toEqual([]);

    // The next run of the dataset: compared with the baseline, its repeated failure patterns named.
    const second = await run(tenantId, hash, [0.95, 0.35]);
    expect(await parts.formation.formRun(second)).toBe('formed');
    const next = await parts.queries.runInsights(scope, second.payload.runId);
    expect(next.trends.find((t) => t.metric === 'faithfulness')).toMatchObject({
      baselineMean: 0.6,
      direction: 'better',
    });
    expect(next.repeatedFailurePatterns).toEqual(
      expect.arrayContaining([expect.objectContaining({ dimension: 'question_type', value: 'why' })]),
    );
    const [fact] = (await parts.queries.searchFacts(scope, { q: 'VPN' }, DEFAULT_MEMORY_POLICY)).items;
    expect(
      fact!.sources
        .filter((s) => s.kind === 'run')
        .map((s) => s.id)
        .sort(),
    ).toEqual([first.payload.runId, second.payload.runId].sort());
  });
});
