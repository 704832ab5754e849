import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  EventCodec,
  evaluatedCases,
  type CaseBatchScheduled,
  type EvalVaultEvent,
  type RunCompleted,
  type RunRequested,
} from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
import { migrateEventStore, PostgresEventStore, runMigrations, START } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { loadRunsConfig, RUNS_MIGRATIONS, RUNS_SCHEMA, RUNS_SERVICE, type RunsParts } from '@evalvault/service-runs';

/**
 * `npm run bench:runs` part (c): LLM-judged runs at the vendor's limit. A local OpenAI-compatible
 * vendor (FakeLlmServer) allows LIMIT requests in any rolling WINDOW and answers each after a
 * fixed latency (429 with Retry-After beyond the limit); the platform's limit is set equal to
 * it. A run of faithfulness (two judge calls a case) is scored by 1, then 3 workers. A worker
 * is the runs service composed in this process from its own declaration (RUNS_SERVICE.compose,
 * as its main.ts does) with its own PostgreSQL pool, limiter instance, logger and metrics
 * registry, so the only thing the workers share is the limiter's table in PostgreSQL, as
 * separate processes would; they take the run's batches as they come free. Figures: the
 * request rate achieved as a share of the limit, the answers of 429, the most requests the
 * vendor saw in any window, cases scored twice, and the run's reported cost against what the
 * vendor billed. Sizes: BENCH_LLM_CASES (120), BENCH_LLM_WINDOW_MS (10,000), BENCH_LLM_LIMIT
 * (100 a window), BENCH_LLM_LATENCY_MS (200).
 */
const CASES = Number(process.env['BENCH_LLM_CASES'] ?? 120);
const WINDOW_MS = Number(process.env['BENCH_LLM_WINDOW_MS'] ?? 10_000);
const LIMIT = Number(process.env['BENCH_LLM_LIMIT'] ?? 100);
const LATENCY_MS = Number(process.env['BENCH_LLM_LATENCY_MS'] ?? 200);
// gpt-4o-mini's list price, USD per million tokens.
const PRICE = { input: 0.15, output: 0.6 };
const API_KEY_VARIABLE = 'BENCH_LLM_JUDGE_KEY';

interface Worker {
  parts: RunsParts;
  store: PostgresEventStore;
  registry: Registry;
  retryLines: () => number;
  close(): Promise<void>;
}

export interface LlmRateFigures {
  workers: number;
  requests: number;
  rateLimited: number;
  maxInWindow: number;
  /** Requests a second from the first to the last the vendor received. */
  rate: number;
  share: number;
  wallMs: number;
  scoredTwice: number;
  failedCases: number;
  reportedUsd: number;
  spentUsd: number;
  retriesLogged: number;
}

/** Part (c): prints its figures and returns them; throws when a run does not complete. */
export async function llmRateBench(): Promise<LlmRateFigures[]> {
  const databaseUrl = testDatabaseUrl();
  await migrateEventStore(databaseUrl);
  await runMigrations(databaseUrl, RUNS_SCHEMA, RUNS_MIGRATIONS);
  const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl, logging: false }).initialize();
  process.env[API_KEY_VARIABLE] = 'bench-llm-key';
  const figures: LlmRateFigures[] = [];
  try {
    for (const workers of [1, 3]) figures.push(await measure(databaseUrl, dataSource, workers));
  } finally {
    await dataSource.destroy();
  }
  const perMinute = (LIMIT * 60_000) / WINDOW_MS;
  console.log(
    `bench:runs (c) — faithfulness (2 judge calls a case), ${CASES} cases a run; ` +
      `fake vendor: ${LIMIT} requests in any rolling ${WINDOW_MS / 1000} s window (${perMinute} rpm), ` +
      `${LATENCY_MS} ms a reply, 429 + Retry-After beyond; platform limit = the vendor's`,
  );
  console.log(
    '  workers: runs services composed in this process, each with its own pool, limiter, logger and registry; ' +
      '4 lanes each, batches of 20; they share only the PostgreSQL limiter',
  );
  console.log(
    '  workers  requests  429s  most in a window  req/s   share of limit  wall s  ' +
      'scored twice  failed  reported $   spent $     retries logged',
  );
  for (const f of figures) {
    console.log(
      `  ${String(f.workers).padEnd(7)}  ${String(f.requests).padEnd(8)}  ${String(f.rateLimited).padEnd(4)}  ` +
        `${`${f.maxInWindow} / ${LIMIT}`.padEnd(16)}  ${f.rate.toFixed(2).padEnd(6)}  ` +
        `${f.share.toFixed(3).padEnd(14)}  ${(f.wallMs / 1000).toFixed(1).padEnd(6)}  ` +
        `${String(f.scoredTwice).padEnd(12)}  ${String(f.failedCases).padEnd(6)}  ` +
        `${f.reportedUsd.toFixed(6).padEnd(10)}  ${f.spentUsd.toFixed(6).padEnd(10)}  ${f.retriesLogged}`,
    );
  }
  const ceiling = WINDOW_MS / (WINDOW_MS + Math.max(250, WINDOW_MS * 0.02));
  console.log(
    `  target: share ≥ 0.95 with 0 answers of 429 (the limiter's margin caps the share at ${ceiling.toFixed(3)}); ` +
      '0 cases scored twice; reported cost = spent',
  );
  return figures;
}

async function measure(databaseUrl: string, dataSource: DataSource, count: number): Promise<LlmRateFigures> {
  // Which cases the vendor answered, per judge purpose: a case scored twice asks twice.
  const answered = new Map<string, number>();
  const llm = await FakeLlmServer.start({
    apiKeys: ['bench-llm-key'],
    rateLimit: { requests: LIMIT, windowMs: WINDOW_MS },
    latencyMs: LATENCY_MS,
    script: (request) => {
      const prompt = request.messages.map((m) => m.content).join('\n');
      const claims = prompt.includes('"claims"');
      const item = /Item (\d+) is a thing/.exec(prompt)?.[1] ?? '?';
      const key = `${claims ? 'claims' : 'verdicts'}:${item}`;
      answered.set(key, (answered.get(key) ?? 0) + 1);
      if (claims)
        return {
          text: JSON.stringify({ claims: ['claim one', 'claim two'] }),
          promptTokens: 420,
          completionTokens: 24,
        };
      return {
        text: JSON.stringify({
          verdicts: [
            { claim: 1, reason: 'stated', verdict: 1 },
            { claim: 2, reason: 'absent', verdict: 0 },
          ],
        }),
        promptTokens: 510,
        completionTokens: 70,
      };
    },
  });
  // A model name of its own: the limit's state starts fresh for each measurement.
  const model = `bench-judge-${randomUUID().slice(0, 8)}`;
  const env = {
    DATABASE_URL: databaseUrl,
    RUNS_WORKER_CONCURRENCY: '4',
    RUNS_BATCH_SIZE: '20',
    EVALVAULT_JUDGE_PROVIDER: 'openai',
    EVALVAULT_JUDGE_BASE_URL: llm.url,
    EVALVAULT_JUDGE_MODEL: model,
    EVALVAULT_JUDGE_API_KEY_REF: `env:${API_KEY_VARIABLE}`,
    EVALVAULT_JUDGE_REQUESTS_PER_MINUTE: String((LIMIT * 60_000) / WINDOW_MS),
    EVALVAULT_JUDGE_RATE_WINDOW_MS: String(WINDOW_MS),
    EVALVAULT_JUDGE_PRICE_INPUT_PER_MTOK: String(PRICE.input),
    EVALVAULT_JUDGE_PRICE_OUTPUT_PER_MTOK: String(PRICE.output),
  };
  const planner = await composeRuns({ ...env, RUNS_ROLES: 'planner' }, databaseUrl, dataSource);
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++)
    workers.push(await composeRuns({ ...env, RUNS_ROLES: 'worker' }, databaseUrl, dataSource));
  try {
    const started = performance.now();
    const events = await judgedRun(planner, workers);
    const wallMs = performance.now() - started;
    const completed = events.find((e): e is RunCompleted => e.type === 'RunCompleted');
    if (!completed) throw new Error(`the run did not complete: ${events.map((e) => e.type).join(', ')}`);
    const counts = llm.counts();
    const arrivals = [...llm.arrivals].sort((a, b) => a - b);
    const spanMs = arrivals.at(-1)! - arrivals[0]!;
    const rate = ((arrivals.length - 1) * 1000) / spanMs;
    const scored = events.flatMap((e) => (e.type === 'CaseEvaluated' ? evaluatedCases(e.payload) : []));
    const claimsTwice = [...answered].filter(([key, times]) => key.startsWith('claims:') && times > 1).length;
    return {
      workers: count,
      requests: counts.requests,
      rateLimited: counts.rateLimited,
      maxInWindow: llm.maxRequestsInWindow(WINDOW_MS),
      rate,
      share: rate / (LIMIT / (WINDOW_MS / 1000)),
      wallMs,
      scoredTwice: Math.max(claimsTwice, scored.length - new Set(scored.map((c) => c.caseIndex)).size),
      failedCases: completed.payload.failedCases,
      reportedUsd: completed.payload.usage?.costUsd ?? 0,
      spentUsd: (counts.billedPromptTokens * PRICE.input + counts.billedCompletionTokens * PRICE.output) / 1_000_000,
      retriesLogged: workers.reduce((sum, worker) => sum + worker.retryLines(), 0),
    };
  } finally {
    await Promise.all([planner, ...workers].map((composed) => composed.close()));
    await llm.close();
  }
}

/** One runs process's parts, composed from the service's declaration on adapters of its own. */
async function composeRuns(env: Record<string, string>, databaseUrl: string, dataSource: DataSource): Promise<Worker> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
  const store = new PostgresEventStore(pool, new EventCodec());
  let retryLines = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (chunk.toString().includes('LLM call failed; retrying')) retryLines += 1;
      done();
    },
  });
  const registry = new Registry();
  const idle = { listen: () => undefined, close: () => undefined } as unknown as CustomTransportStrategy;
  const composed = await RUNS_SERVICE.compose(
    loadRunsConfig(env),
    { pool, dataSource, store, kafka: null, logger: pino({ level: 'warn' }, sink), registry, eventServer: () => idle },
    undefined,
  );
  return {
    parts: composed.exports,
    store,
    registry,
    retryLines: () => retryLines,
    close: async () => {
      await composed.close();
      await store.close();
      await pool.end();
    },
  };
}

/** Submits and plans a run, then lets every worker take the next batch as soon as it is free. */
async function judgedRun(planner: Worker, workers: Worker[]): Promise<EvalVaultEvent[]> {
  const nonce = randomUUID().slice(0, 8);
  const cases = Array.from({ length: CASES }, (_, index) => ({
    id: `c${index}`,
    question: `What is item ${index} (${nonce})?`,
    answer: `Item ${index} is a thing`,
    contexts: [`Item ${index} is a thing of note (${nonce}).`],
  }));
  const context = {
    tenantId: `bench-${nonce}`,
    projectId: 'default',
    actor: { subject: 'bench', authMethod: 'api_key' as const, apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
  };
  const { runId } = await planner.parts.commands.submitRun(
    { dataset: { name: 'llm-rate-bench', cases }, metrics: ['faithfulness'], gate: { rules: [] } },
    context,
  );
  const stream = `run-${runId}`;
  const events = async () => (await planner.store.readStream(stream)).map((record) => record.event);
  await planner.parts.planner.plan((await events())[0] as RunRequested);
  const batches = (await planner.store.readAll(START, { filter: { streamPrefixes: [`runbatch-${runId}-`] } })).map(
    (record) => record.event as CaseBatchScheduled,
  );
  await Promise.all(
    workers.map(async (worker) => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) await worker.parts.worker.work(batch);
    }),
  );
  return events();
}
