import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventCodec, type RunRequested } from '@evalvault/contracts';
import { migrateEventStore, PostgresEventStore, type CommandContext } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { RunCommands } from './run.commands.js';
import { RunErrorCode } from './run.errors.js';
import { runRepository, runStreamId } from './run.repository.js';

/** The run commands on the real event store: validation, idempotency, cancel, retry. */
describe('run commands', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let commands: RunCommands;
  const context = (): CommandContext => ({
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'default',
    actor: { subject: 'ci', authMethod: 'api_key', apiKeyId: 'k1' },
    correlationId: randomUUID(),
    causationId: null,
  });
  const cases = [
    { id: 'a', question: 'Q1?', answer: 'A1', contexts: ['c1'], ground_truth: 'A1' },
    { id: 'b', question: 'Q2?', answer: 'A2', contexts: ['c2'], ground_truth: 'A2' },
  ];
  const input = { dataset: { name: 'qa', cases }, metrics: ['token_f1'], gate: { rules: ['mean(token_f1)>=0.5'] } };
  const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    commands = new RunCommands(runRepository(store, { now: Date.now, newId: randomUUID }), randomUUID);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('pins the configuration and answers a retried request with the same run', async () => {
    const ctx = context();
    const first = await commands.submitRun({ ...input, idempotencyKey: 'build-42' }, ctx);
    const again = await commands.submitRun({ ...input, idempotencyKey: 'build-42' }, ctx);
    expect(again).toEqual(first);
    const events = await store.readStream(runStreamId(first.runId));
    expect(events).toHaveLength(1);
    expect((events[0]!.event as RunRequested).payload).toMatchObject({
      gateRules: ['mean(token_f1) >= 0.5'],
      configHash: first.configHash,
      retryOf: null,
    });
    const changed = await codeOf(
      commands.submitRun({ ...input, metrics: ['exact_match'], idempotencyKey: 'build-42' }, ctx),
    );
    expect(changed).toBe(RunErrorCode.AlreadyExists);
    // Keys are per tenant.
    expect((await commands.submitRun({ ...input, idempotencyKey: 'build-42' }, context())).runId).not.toBe(first.runId);
  });

  it('derives a key’s run per project: a tenant’s two projects get two runs, each retried to its own', async () => {
    const alpha = context();
    const beta = { ...alpha, projectId: 'beta', correlationId: randomUUID() };
    const inAlpha = await commands.submitRun({ ...input, idempotencyKey: 'build-7' }, alpha);
    const inBeta = await commands.submitRun({ ...input, idempotencyKey: 'build-7' }, beta);
    expect(inBeta.runId).not.toBe(inAlpha.runId);
    expect(await commands.submitRun({ ...input, idempotencyKey: 'build-7' }, alpha)).toEqual(inAlpha);
    expect(await commands.submitRun({ ...input, idempotencyKey: 'build-7' }, beta)).toEqual(inBeta);
    const [alphaEvents, betaEvents] = await Promise.all([
      store.readStream(runStreamId(inAlpha.runId)),
      store.readStream(runStreamId(inBeta.runId)),
    ]);
    expect(alphaEvents.map((e) => e.event.projectId)).toEqual(['default']);
    expect(betaEvents.map((e) => e.event.projectId)).toEqual(['beta']);
    expect(
      await codeOf(commands.submitRun({ ...input, metrics: ['exact_match'], idempotencyKey: 'build-7' }, beta)),
    ).toBe(RunErrorCode.AlreadyExists);
  });

  it('answers a key whose run came from the tenant alone (older keys) with that run, in its project only', async () => {
    const alpha = context();
    const beta = { ...alpha, projectId: 'beta', correlationId: randomUUID() };
    // How a run id was derived from (tenant, key) before: created here as that code created it.
    const hex = createHash('sha256').update(`run-idempotency\u0000${alpha.tenantId}\u0000build-8`).digest('hex');
    const legacyId = [
      hex.slice(0, 8),
      hex.slice(8, 12),
      `5${hex.slice(13, 16)}`,
      `8${hex.slice(17, 20)}`,
      hex.slice(20, 32),
    ].join('-');
    const repository = runRepository(store, { now: Date.now, newId: randomUUID });
    const legacy = await new RunCommands(repository, () => legacyId).submitRun(input, alpha);
    expect(legacy.runId).toBe(legacyId);

    expect(await commands.submitRun({ ...input, idempotencyKey: 'build-8' }, alpha)).toEqual(legacy);
    expect(await store.readStream(runStreamId(legacyId))).toHaveLength(1);
    expect(
      await codeOf(commands.submitRun({ ...input, metrics: ['exact_match'], idempotencyKey: 'build-8' }, alpha)),
    ).toBe(RunErrorCode.AlreadyExists);
    const inBeta = await commands.submitRun({ ...input, idempotencyKey: 'build-8' }, beta); // not refused as foreign
    expect(inBeta.runId).not.toBe(legacyId);
    expect((await store.readStream(runStreamId(inBeta.runId)))[0]!.event.projectId).toBe('beta');
  });

  it('submits a run without a gate (omitted, or without rules): its verdict will be none', async () => {
    const { gate: _gate, ...ungated } = input;
    for (const request of [ungated, { ...ungated, gate: null }, { ...ungated, gate: { rules: [] } }]) {
      const { runId } = await commands.submitRun(request, context());
      const requested = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
      expect(requested.payload).toMatchObject({ gateRules: [], missingBaseline: 'fail' });
    }
  });

  it('keeps the configHash a deterministic run without baseline rules had before judges were pinned', async () => {
    const { runId, configHash } = await commands.submitRun(input, context());
    const { payload } = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
    const { dataset, prompt, modelProfile, metrics, gateRules, evaluatorVersion } = payload;
    const before = JSON.stringify({ dataset, prompt, modelProfile, metrics, gateRules, evaluatorVersion });
    expect(configHash).toBe(createHash('sha256').update(before).digest('hex'));
    expect(payload.judge).toBeNull();
  });

  it('pins the judge of LLM-judged metrics: another judge model or endpoint is another configHash', async () => {
    const repository = runRepository(store, { now: Date.now, newId: randomUUID });
    const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"baseUrl":null,"temperature":0}' };
    const judgedBy = (snapshot: typeof judge | null) => new RunCommands(repository, randomUUID, snapshot);
    const judged = { ...input, metrics: ['faithfulness'], gate: { rules: [] } };
    const ctx = context();
    const first = await judgedBy(judge).submitRun(judged, ctx);
    const requested = (await store.readStream(runStreamId(first.runId)))[0]!.event as RunRequested;
    expect(requested.payload.judge).toEqual(judge);
    expect((await judgedBy(judge).submitRun(judged, ctx)).configHash).toBe(first.configHash);
    const otherModel = await judgedBy({ ...judge, model: 'gpt-4o' }).submitRun(judged, ctx);
    const otherEndpoint = await judgedBy({
      ...judge,
      parametersJson: '{"baseUrl":"http://judge","temperature":0}',
    }).submitRun(judged, ctx);
    expect(new Set([first.configHash, otherModel.configHash, otherEndpoint.configHash]).size).toBe(3);
    // A deterministic run does not depend on the judge: same hash with any.
    const deterministic = [judge, { ...judge, model: 'gpt-4o' }, null].map((snapshot) =>
      judgedBy(snapshot).submitRun(input, ctx),
    );
    expect(new Set((await Promise.all(deterministic)).map((run) => run.configHash)).size).toBe(1);
  });

  it('refuses LLM-judged metrics when the service has no judge, naming them and the variable to set', async () => {
    const judged = { ...input, metrics: ['token_f1', 'faithfulness', 'rubric'], gate: { rules: [] } };
    const refused = await commands.submitRun(judged, context()).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: RunErrorCode.JudgeNotConfigured });
    expect((refused as Error).message).toMatch(
      /^faithfulness, rubric are scored by an LLM judge and none is configured: /,
    );
    expect((refused as Error).message).toContain('set EVALVAULT_JUDGE_PROVIDER (openai, ');
    // A deterministic run needs no judge; a retry of a judged run on a service that lost its judge is refused too.
    expect((await commands.submitRun(input, context())).status).toBe('requested');
    const judge = { provider: 'openai', model: 'gpt-4o-mini', parametersJson: '{"baseUrl":null,"temperature":0}' };
    const repository = runRepository(store, { now: Date.now, newId: randomUUID });
    const ctx = context();
    const { runId } = await new RunCommands(repository, randomUUID, judge).submitRun(judged, ctx);
    await commands.cancelRun(runId, null, ctx);
    expect(await codeOf(commands.retryRun(runId, 'all', ctx))).toBe(RunErrorCode.JudgeNotConfigured);
  });

  it('pins the missing-baseline policy: fail unless the run asks to pass, in the configHash', async () => {
    const ctx = context();
    const rules = ['mean(token_f1) >= baseline - 0.05'];
    const strict = await commands.submitRun({ ...input, gate: { rules } }, ctx);
    const lenient = await commands.submitRun({ ...input, gate: { rules, missingBaseline: 'pass' } }, ctx);
    const policyOf = async (runId: string) =>
      ((await store.readStream(runStreamId(runId)))[0]!.event as RunRequested).payload.missingBaseline;
    expect([await policyOf(strict.runId), await policyOf(lenient.runId)]).toEqual(['fail', 'pass']);
    expect(lenient.configHash).not.toBe(strict.configHash);
    const bad = { ...input, gate: { rules, missingBaseline: 'maybe' as 'pass' } };
    expect(await codeOf(commands.submitRun(bad, ctx))).toBe(RunErrorCode.InvalidInput);
  });

  it('refuses unknown metrics, bad gate rules with their column, and invalid cases with their position', async () => {
    await expect(commands.submitRun({ ...input, metrics: ['accuracy'] }, context())).rejects.toThrow(
      /unknown metric\(s\) accuracy; known: .*token_f1/,
    );
    await expect(
      commands.submitRun({ ...input, gate: { rules: ['mean(token_f1) >= 0.8x'] } }, context()),
    ).rejects.toThrow(/gate.rules\[0\]: column 22/);
    await expect(
      commands.submitRun({ ...input, dataset: { name: 'qa', cases: [{ question: 'Q', contexts: 'c' }] } }, context()),
    ).rejects.toThrow(/cases\[0\]/);
  });

  it('cancels an unfinished run and retries it: all cases, or only those not evaluated', async () => {
    const ctx = context();
    const { runId } = await commands.submitRun(input, ctx);
    expect(await codeOf(commands.retryRun(runId, 'all', ctx))).toBe(RunErrorCode.NotFinished);
    expect(await commands.cancelRun(runId, 'wrong prompt', ctx)).toEqual({ runId, status: 'cancelled' });
    const retry = await commands.retryRun(runId, 'failed', ctx);
    const retried = (await store.readStream(runStreamId(retry.runId)))[0]!.event as RunRequested;
    expect(retried.payload.retryOf).toBe(runId);
    expect(retried.payload.inlineCases!.map((c) => c.id)).toEqual(['a', 'b']); // the cancelled run evaluated none
    expect(await codeOf(commands.retryRun(randomUUID(), 'all', ctx))).toBe(RunErrorCode.NotFound);
  });

  it('pins the client’s rejected rows with their lines, refuses them without inline cases, retries none', async () => {
    const ctx = context();
    const { runId } = await commands.submitRun(
      { ...input, rejectedRows: [{ line: 7, reason: 'contexts must be an array' }] },
      ctx,
    );
    const requested = (await store.readStream(runStreamId(runId)))[0]!.event as RunRequested;
    expect(requested.payload.rejectedRows).toEqual([
      { line: 7, errorCode: 'INVALID_ROW', reason: 'line 7: contexts must be an array' },
    ]);
    expect(
      await codeOf(
        commands.submitRun(
          { ...input, dataset: { id: 'ds-1', version: 1 }, rejectedRows: [{ line: 1, reason: 'x' }] },
          ctx,
        ),
      ),
    ).toBe(RunErrorCode.InvalidInput);
    expect(await codeOf(commands.submitRun({ ...input, rejectedRows: [{ line: 0, reason: 'x' }] }, ctx))).toBe(
      RunErrorCode.InvalidInput,
    );
    await commands.cancelRun(runId, null, ctx);
    const all = await commands.retryRun(runId, 'all', ctx);
    expect(
      ((await store.readStream(runStreamId(all.runId)))[0]!.event as RunRequested).payload.rejectedRows,
    ).toHaveLength(1);
    const failedOnly = await commands.retryRun(runId, 'failed', ctx);
    expect(
      ((await store.readStream(runStreamId(failedOnly.runId)))[0]!.event as RunRequested).payload.rejectedRows,
    ).toBeNull();
  });
});
