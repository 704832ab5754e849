import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import {
  EventCodec,
  type CaseEvaluated,
  type CaseFailed,
  type EvalVaultEvent,
  type RunRequested,
} from '@evalvault/contracts';
import type { JudgeRequest } from '@evalvault/evaluation';
import { migrateEventStore, PostgresEventStore, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { NoRegisteredDatasets } from '../planning/dataset-content.port.js';
import { RunPlanner } from '../planning/run-planner.js';
import { scheduledBatches } from '../planning/testing/scheduled-batches.js';
import { RunCommands } from '../run/run.commands.js';
import { runRepository, runStreamId } from '../run/run.repository.js';
import { CaseScorer } from '../work/case-scorer.js';
import { CaseWorker } from '../work/case-worker.js';
import { RunCompleter } from '../work/run-completer.js';
import { noBaselines } from '../work/testing/no-baselines.js';
import { metricCatalog, type MetricCatalog } from './metric-catalog.js';
import { loadPlugins, loadPluginsAtStart } from './plugin-loader.js';
import { loadPluginSettings } from './plugin-settings.js';

/**
 * The example plugin and misbehaving ones, loaded as the runs service loads them, scoring runs on
 * the real event store: a plugin that throws, hangs or leaks fails its cases with the reason, and
 * the worker goes on scoring the next ones.
 */
describe('metric plugins', () => {
  const ROOT = join(import.meta.dirname, '../../../..');
  const EXAMPLE = join(ROOT, 'examples/plugins/answer-checks');
  const FIXTURES = join(ROOT, 'test/fixtures/plugins');
  const logger = pino({ level: 'silent' });
  const sources = { now: Date.now, newId: randomUUID };
  let database: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let catalog: MetricCatalog;

  const load = async (entries: string[], env: Record<string, string> = {}): Promise<MetricCatalog> => {
    const settings = loadPluginSettings({
      EVALVAULT_PLUGINS: entries.join(','),
      EVALVAULT_PLUGIN_CASE_TIMEOUT_MS: '2000',
      EVALVAULT_PLUGIN_MEMORY_MB: '32',
      ...env,
    });
    return metricCatalog(await loadPlugins(settings, 2, ROOT));
  };

  // A database of its own: a runs worker of another suite's platform on the shared test database would take
  // these runs' batches and, without these plugins loaded, rightly fail them (plugin_changed).
  beforeAll(async () => {
    database = await ownDatabase();
    await migrateEventStore(database.url);
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    catalog = await load([EXAMPLE, ...['throws', 'hangs', 'leaks'].map((name) => join(FIXTURES, name))]);
  });
  afterAll(async () => {
    await catalog?.close();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: `project-${randomUUID()}`,
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  });

  function parts(using: MetricCatalog) {
    const runs = runRepository(store, sources);
    const scorer = new CaseScorer(() => null, Date.now, using);
    const worker = new CaseWorker(runs, scorer, new RunCompleter(runs, noBaselines, Date.now), 2, logger, null, using);
    const planner = new RunPlanner(
      runs,
      store,
      sources,
      new NoRegisteredDatasets(),
      { judged: 3, deterministic: 3 },
      logger,
    );
    return { worker, planner, commands: new RunCommands(runs, randomUUID, null, null, using) };
  }

  async function planAndWork(runId: string, using: MetricCatalog): Promise<EvalVaultEvent[]> {
    const { planner, worker } = parts(using);
    await planner.plan((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested);
    for (const batch of await scheduledBatches(store, runId)) await worker.work(batch);
    return (await store.readStream(runStreamId(runId))).map((r) => r.event);
  }

  const testCase = (id: string, answer: string) => ({
    id,
    question: `What about ${id}?`,
    answer,
    contexts: ['ctx'],
    ground_truth: answer,
    metadata: { keywords: [answer] },
  });
  const PLUGIN_METRICS = ['keyword_coverage', 'fixture_throws', 'fixture_hangs', 'fixture_leaks'];

  it('scores plugin metrics; cases that throw, hang or leak fail with reasons, the others score', async () => {
    const cases = [
      testCase('first', 'ok'),
      testCase('throws', 'throw'),
      testCase('hangs', 'hang'),
      testCase('leaks', 'leak'),
      testCase('after', 'ok'),
      testCase('again', 'ok'),
    ];
    const { runId } = await parts(catalog).commands.submitRun(
      {
        dataset: { name: 'plugins', cases },
        metrics: PLUGIN_METRICS,
        gate: { rules: ['mean(keyword_coverage) >= 1'] },
      },
      context(),
    );
    const events = await planAndWork(runId, catalog);

    const evaluated = events
      .filter((e): e is CaseEvaluated => e.type === 'CaseEvaluated')
      .flatMap((e) => [e.payload, ...e.payload.moreCases]);
    expect(evaluated.map((c) => c.caseId).sort()).toEqual(['after', 'again', 'first']);
    expect(evaluated[0]!.scores.find((s) => s.metric === 'keyword_coverage')).toMatchObject({
      score: 1,
      explanation: '1 of 1 keywords in the answer',
    });
    const failed = new Map(
      events
        .filter((e): e is CaseFailed => e.type === 'CaseFailed')
        .map((e) => [e.payload.caseId, { code: e.payload.errorCode, reason: e.payload.reason }]),
    );
    expect(failed.get('throws')).toEqual({
      code: 'PLUGIN_THREW',
      reason: expect.stringContaining('"fixture_throws" threw: cannot score "throw"'),
    });
    expect(failed.get('hangs')).toEqual({
      code: 'PLUGIN_TIMEOUT',
      reason: expect.stringContaining('"fixture_hangs" ran over 2000 ms'),
    });
    expect(failed.get('leaks')).toEqual({
      code: 'PLUGIN_MEMORY_LIMIT',
      reason: expect.stringContaining('"fixture_leaks" reached 32 MB'),
    });
    // The run completes: the gate is decided on the evaluated cases.
    expect(events.map((e) => e.type).slice(-2)).toEqual(['RunCompleted', 'GatePassed']);
  });

  it('pins plugin version and checksum in the run and its configHash; workers check them', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'plugin-')), 'answer-checks');
    cpSync(EXAMPLE, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...manifest, version: '1.0.1' }));
    const newer = await load([copy]);
    try {
      const input = { dataset: { name: 'pins', cases: [testCase('a', 'ok')] }, metrics: ['keyword_coverage'] };
      const ctx = context();
      const first = await parts(catalog).commands.submitRun(input, ctx);
      const second = await parts(newer).commands.submitRun(input, ctx);
      const pinned = async (runId: string) =>
        ((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested).payload.plugins;
      expect(await pinned(first.runId)).toEqual([
        { name: '@evalvault-examples/answer-checks', version: '1.0.0', checksum: expect.stringMatching(/^sha256:/) },
      ]);
      expect((await pinned(second.runId))![0]!.version).toBe('1.0.1');
      expect(second.configHash).not.toBe(first.configHash);
      // A built-in-only run pins no plugin, and hashes as without plugins loaded.
      const builtIn = { ...input, metrics: ['token_f1'] };
      const plain = await parts(newer).commands.submitRun(builtIn, ctx);
      expect(await pinned(plain.runId)).toBeNull();
      expect(plain.configHash).toBe((await parts(catalog).commands.submitRun(builtIn, ctx)).configHash);
      // A worker with another version fails the run rather than score it differently than its hash says.
      const events = await planAndWork(first.runId, newer);
      expect(events.at(-1)).toMatchObject({ type: 'RunFailed', payload: { reason: 'plugin_changed' } });
    } finally {
      await newer.close();
    }
  });

  it('survives a plugin thread that fails between cases: the next case gets a new thread', async () => {
    const scorer = new CaseScorer(() => null, Date.now, catalog);
    const score = (answer: string) =>
      scorer.score(
        { runId: randomUUID(), owner: { tenantId: 't', projectId: 'p' }, metrics: ['fixture_throws'], caps: null },
        {
          caseIndex: 0,
          line: 1,
          testCase: { id: answer, question: 'Q?', answer, contexts: [], groundTruth: null, metadataJson: null },
        },
      );
    expect((await score('throw later')).kind).toBe('evaluated');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await score('ok')).kind).toBe('evaluated');
  });

  it('lets an LLM-judged plugin metric call the run’s judge with its own prompts', async () => {
    const requests: JudgeRequest[] = [];
    const judge = {
      complete: async (request: JudgeRequest) => {
        requests.push(request);
        return JSON.stringify({ score: 4, reason: 'neutral and clear' });
      },
    };
    const scorer = new CaseScorer(() => judge, Date.now, catalog);
    const outcome = await scorer.score(
      { runId: randomUUID(), owner: { tenantId: 't', projectId: 'p' }, metrics: ['polite_tone'], caps: null },
      {
        caseIndex: 0,
        line: 1,
        testCase: { id: 'c', question: 'Q?', answer: 'A.', contexts: [], groundTruth: null, metadataJson: null },
      },
    );
    expect(outcome).toMatchObject({
      kind: 'evaluated',
      payload: { scores: [{ metric: 'polite_tone', score: 0.75, explanation: 'Tone 4 of 5: neutral and clear' }] },
    });
    expect(requests).toEqual([expect.objectContaining({ purpose: 'polite_tone.tone', json: true })]);
    expect(requests[0]!.system).toContain('You judge tone only');
  });

  it('refuses at start a colliding, incompatible, entry-less or unapproved plugin, saying why', async () => {
    const refusal = (entries: string[], env?: Record<string, string>) =>
      load(entries, env).then(
        async (loaded) => {
          await loaded.close();
          return 'loaded';
        },
        (error: Error) => error.message,
      );
    expect(await refusal([join(FIXTURES, 'collides')])).toContain(
      '"token_f1" of evalvault-fixture-collides@0.1.0 is already a built-in metric',
    );
    expect(await refusal([join(FIXTURES, 'future-api')])).toContain('requires plugin API "^2"');
    // At the service's start, a configuration error the platform reports in one line.
    const settings = loadPluginSettings({ EVALVAULT_PLUGINS: join(FIXTURES, 'future-api') });
    await expect(loadPluginsAtStart(settings, 1, ROOT)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(
        /^invalid configuration: EVALVAULT_PLUGINS refused: .*\[PLUGIN_API_INCOMPATIBLE\]$/,
      ),
    });
    expect(await refusal([join(FIXTURES, 'no-entry')])).toContain('has no "evalvault" entry');
    expect(await refusal([EXAMPLE, EXAMPLE.replace(ROOT, '.')])).toContain('is already a metric of');
    expect(await refusal(['not-installed-plugin'])).toContain('plugin "not-installed-plugin" is not installed');
    const required = { EVALVAULT_PLUGINS_REQUIRE_APPROVAL: 'true' };
    const unapproved = await refusal([EXAMPLE], required);
    expect(unapproved).toContain('no approval lists @evalvault-examples/answer-checks@1.0.0');
    const approval = /add (\S+) to EVALVAULT_PLUGINS_APPROVED/.exec(unapproved)![1]!;
    expect(await refusal([EXAMPLE], { EVALVAULT_PLUGINS_APPROVED: approval })).toBe('loaded');
  });
});

/** An empty database of this suite's own on the test server, created as its administrator (as infra/postgres does). */
async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `plugins_${randomUUID().slice(0, 8)}`;
  const urlOf = (database: string): string => {
    const url = new URL(testDatabaseUrl());
    url.username = process.env['PGADMIN_USER'] ?? 'postgres';
    url.password = '';
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: urlOf('postgres') });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  return { url: urlOf(name), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
