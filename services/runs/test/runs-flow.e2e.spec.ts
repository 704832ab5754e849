import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import type { EvalVaultEvent, GateFailed, RunCompleted } from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { EventCodec, evaluatedCases } from '@evalvault/contracts';
import { PostgresEventStore, type CommandContext } from '@evalvault/platform';
import {
  migrateTestDatabase,
  startRunsProcess,
  stopRunsProcess,
  testDatabaseUrl,
  type RunsProcess,
} from '@evalvault/platform/testing';
import { loadConfig } from '../src/config.js';
import { judgeSnapshotOf } from '../src/run/judge-snapshot.js';
import { RunCommands } from '../src/run/run.commands.js';
import { runRepository, runStreamId } from '../src/run/run.repository.js';

/**
 * The runs service end to end on the real PostgreSQL and Kafka, as separate processes:
 * one planner (with the relay and read model), two workers sharing the cases, an LLM
 * judge at a local server speaking the OpenAI format. RunRequested in → CaseEvaluated × N
 * → RunCompleted → GateFailed; then a worker killed mid-run; then a cancellation.
 */
// Processes join consumer groups, and a killed member's partitions move only after its session times out.
jest.setTimeout(180_000);

describe('runs service over Kafka', () => {
  const CASES = 30;
  let llm: FakeLlmServer;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let commands: RunCommands;
  const processes: RunsProcess[] = [];
  let judgeEnv: Record<string, string>;

  beforeAll(async () => {
    migrateTestDatabase();
    llm = await FakeLlmServer.start({
      apiKeys: ['fake-judge-key'],
      script: (request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        // Two claims per answer, one supported: faithfulness 0.5 on every case.
        if (prompt.includes('"claims"'))
          return { text: JSON.stringify({ claims: ['claim one', 'claim two'] }), delayMs: 150 };
        return {
          text: JSON.stringify({
            verdicts: [
              { claim: 1, reason: 'stated', verdict: 1 },
              { claim: 2, reason: 'absent', verdict: 0 },
            ],
          }),
          delayMs: 150,
        };
      },
    });
    judgeEnv = {
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: 'judge-test',
      EVALVAULT_JUDGE_API_KEY_REF: 'env:E2E_JUDGE_KEY',
      E2E_JUDGE_KEY: 'fake-judge-key',
      RUNS_WORKER_CONCURRENCY: '2',
      RUNS_BATCH_SIZE: '3',
      RUNS_CONSUMER_START: 'latest',
      // The shared judge rate limit (tested in libs/llm) would pace 60 calls a run at the default 5/s.
      EVALVAULT_JUDGE_REQUESTS_PER_SECOND: '500',
      // Consumer groups of this test alone: nothing left on the topics by earlier runs reaches them.
      RUNS_GROUP_PREFIX: `e2e-${randomUUID().slice(0, 8)}`,
    };
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    // Runs pin the workers' judge, as the planner process's own commands would.
    const judge = judgeSnapshotOf(loadConfig({ DATABASE_URL: testDatabaseUrl(), ...judgeEnv }).judge);
    commands = new RunCommands(runRepository(store, { now: Date.now, newId: randomUUID }), randomUUID, judge);
    // A relay of its own starting at the end of the shared test log: only this test's runs travel.
    processes.push(
      await startRunsProcess({
        ...judgeEnv,
        RUNS_ROLES: 'planner,relay,projection',
        RUNS_RELAY_NAME: `e2e-${randomUUID()}`,
        RUNS_RELAY_START: 'latest',
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopRunsProcess(p)));
    await store.close();
    await pool.end();
    await llm.close();
  });

  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'default',
    correlationId: randomUUID(),
    causationId: null,
    actor: { subject: 'ci@example.com', authMethod: 'api_key', apiKeyId: 'key-1' },
  });

  /** Fresh wording per run, so no judge answer comes from the response cache of an earlier run. */
  function cases(): unknown[] {
    const nonce = randomUUID().slice(0, 8);
    return Array.from({ length: CASES }, (_, index) => ({
      id: `q${index}`,
      question: `What is item ${index} (${nonce})?`,
      answer: `Item ${index} is a thing`,
      contexts: [`Item ${index} is a thing of note (${nonce}).`],
      ground_truth: index % 2 === 0 ? `Item ${index} is a thing` : `Something else entirely`,
    }));
  }

  async function submit(ctx: CommandContext): Promise<string> {
    const { runId } = await commands.submitRun(
      {
        dataset: { name: 'e2e-rag', cases: cases() },
        metrics: ['token_f1', 'faithfulness'],
        gate: { rules: ['mean(token_f1) >= 0.4', 'mean(faithfulness) >= 0.8'] },
      },
      ctx,
    );
    return runId;
  }

  async function runEvents(runId: string): Promise<EvalVaultEvent[]> {
    return (await store.readStream(runStreamId(runId))).map((r) => r.event);
  }

  async function waitForEvent(
    runId: string,
    type: EvalVaultEvent['type'],
    timeoutMs = 45_000,
  ): Promise<EvalVaultEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = await runEvents(runId);
      if (events.some((e) => e.type === type)) return events;
      if (Date.now() > deadline)
        throw new Error(
          `no ${type} on run ${runId} after ${timeoutMs} ms; have ${events.map((e) => e.type).join(', ')}\n` +
            processes.map((p) => p.output().slice(-2000)).join('\n---\n'),
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function expectEveryCaseOnce(events: EvalVaultEvent[]): void {
    const indexes = events.flatMap((e) =>
      e.type === 'CaseEvaluated' ? evaluatedCases(e.payload).map((c) => c.caseIndex) : [],
    );
    expect(indexes.sort((a, b) => a - b)).toEqual(Array.from({ length: CASES }, (_, index) => index));
    const completed = events.find((e) => e.type === 'RunCompleted') as RunCompleted;
    expect(completed.payload).toMatchObject({ totalCases: CASES, evaluatedCases: CASES, failedCases: 0 });
  }

  it('scores every case once across two workers, completes the run and fails its gate', async () => {
    const workers = [
      await startRunsProcess({ ...judgeEnv, RUNS_ROLES: 'worker' }),
      await startRunsProcess({ ...judgeEnv, RUNS_ROLES: 'worker' }),
    ];
    processes.push(...workers);
    const runId = await submit(context());
    const events = await waitForEvent(runId, 'GateFailed');
    expect(events.map((e) => e.type).filter((t) => !t.startsWith('Case'))).toEqual([
      'RunRequested',
      'RunStarted',
      'RunCompleted',
      'GateFailed',
    ]);
    expectEveryCaseOnce(events);
    const gate = events.find((e) => e.type === 'GateFailed') as GateFailed;
    expect(gate.payload.rules).toEqual([
      expect.objectContaining({ rule: 'mean(token_f1) >= 0.4', passed: true }),
      expect.objectContaining({ rule: 'mean(faithfulness) >= 0.8', actual: 0.5, threshold: 0.8, passed: false }),
    ]);
    const completed = events.find((e) => e.type === 'RunCompleted') as RunCompleted;
    expect(completed.payload.usage).toMatchObject({ requests: CASES * 2, cacheHits: 0 }); // two judge calls a case
    // Both shared the work.
    for (const worker of workers) expect(worker.logLines('batch scored').length).toBeGreaterThan(0);
    await Promise.all(workers.map((w) => stopRunsProcess(w)));
  });

  it('completes with every case counted once when a worker is killed mid-run and another starts', async () => {
    const doomed = await startRunsProcess({ ...judgeEnv, RUNS_ROLES: 'worker' });
    processes.push(doomed);
    const runId = await submit(context());
    await waitForEvent(runId, 'CaseEvaluated');
    await stopRunsProcess(doomed, 'SIGKILL');
    const before = (await runEvents(runId)).flatMap((e) =>
      e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : [],
    ).length;
    expect(before).toBeLessThan(CASES);
    // Restarted after the crash: the group forgets the killed member once its session (10 s) expires.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    processes.push(await startRunsProcess({ ...judgeEnv, RUNS_ROLES: 'worker' }));
    const events = await waitForEvent(runId, 'RunCompleted', 120_000);
    expectEveryCaseOnce(events);
  });

  it('stops scoring within seconds of a cancellation', async () => {
    const ctx = context();
    const runId = await submit(ctx);
    await waitForEvent(runId, 'CaseEvaluated');
    await commands.cancelRun(runId, 'wrong dataset', ctx);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const settled = (await runEvents(runId)).length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const events = await runEvents(runId);
    expect(events.length).toBe(settled);
    expect(events.some((e) => e.type === 'RunCancelled')).toBe(true);
    expect(events.some((e) => e.type === 'RunCompleted')).toBe(false);
  });
});
