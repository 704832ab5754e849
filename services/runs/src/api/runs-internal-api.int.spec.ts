import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { EventCodec } from '@evalvault/contracts';
import {
  HttpServiceClient,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  PostgresEventStore,
  registerInternalApi,
  ServiceClientError,
  START,
  type InternalIdentity,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { RunsOperations } from '@evalvault/service-apis';
import { RunCommands } from '../run/run.commands.js';
import { runRepository } from '../run/run.repository.js';
import { RunsProjection, RunsQueries } from '../projection/index.js';
import { openReadModel } from '../projection/testing/run-history.js';
import { runsOperationHandlers, showSubmitted } from './runs-internal-api.js';

/** The runs service's internal API over real HTTP, as the gateway will call it. */
describe('runs internal API', () => {
  const secret = randomBytes(32);
  let fastify: FastifyInstance;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let client: HttpServiceClient<RunsOperations>;
  const identity = (tenantId: string): InternalIdentity => ({
    tenantId,
    projectId: 'checkout',
    roles: ['editor'],
    actor: { subject: 'alice', authMethod: 'oidc', apiKeyId: null },
  });
  const codeOf = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => 'resolved',
      (error: ServiceClientError) => `${error.code} ${error.status}`,
    );

  beforeAll(async () => {
    dataSource = await openReadModel();
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    const runs = runRepository(store, { now: Date.now, newId: randomUUID });
    const commands = new RunCommands(runs, randomUUID);
    fastify = Fastify();
    registerInternalApi(fastify, {
      handlers: runsOperationHandlers(
        commands,
        new RunsQueries(dataSource),
        randomUUID,
        showSubmitted(runs, new RunsProjection(dataSource)),
      ),
      verifier: new InternalIdentityVerifier({ secret, serviceName: 'runs' }),
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient<RunsOperations>({
      serviceName: 'runs',
      baseUrl: address,
      signer: new InternalIdentitySigner({ secret }),
    });
  });

  afterAll(async () => {
    await fastify.close();
    await store.close();
    await pool.end();
    await dataSource.destroy();
  });

  it('submits a run for the identity’s tenant and project, and shows it only to them', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const submitted = await client.call(
      'submitRun',
      {
        dataset: { name: 'qa', cases: [{ question: 'Q?', answer: 'A', contexts: ['A'], ground_truth: 'A' }] },
        metrics: ['exact_match'],
        gate: { rules: ['mean(exact_match) >= 1'] },
      },
      identity(tenant),
    );
    expect(submitted).toMatchObject({ status: 'requested' });
    // Read your own writes: no consumer runs here, yet the run is readable as soon as the submit answered.
    const run = await client.call('getRun', { runId: submitted.runId }, identity(tenant));
    expect(run).toMatchObject({
      runId: submitted.runId,
      projectId: 'checkout',
      status: 'requested',
      requestedBy: 'alice',
      gateRules: ['mean(exact_match) >= 1'],
    });
    expect((await client.call('listRuns', {}, identity(tenant))).items.map((r) => r.runId)).toEqual([submitted.runId]);
    expect(await codeOf(client.call('getRun', { runId: submitted.runId }, identity(`tenant-${randomUUID()}`)))).toBe(
      'NOT_FOUND 404',
    );
    expect(await codeOf(client.call('getCases', { runId: submitted.runId }, identity(`tenant-${randomUUID()}`)))).toBe(
      'NOT_FOUND 404',
    );
  });

  it('refuses another tenant’s run as if missing on every operation, flagged foreign; changes nothing', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const stranger = identity(`tenant-${randomUUID()}`);
    const { runId } = await client.call(
      'submitRun',
      {
        dataset: { name: 'qa', cases: [{ question: 'Q?', answer: 'A', contexts: [] }] },
        metrics: ['exact_match'],
        gate: { rules: [] },
      },
      identity(tenant),
    );
    const projection = new RunsProjection(dataSource);
    for (const recorded of await store.readAll(START, { filter: { streamPrefixes: [`run-${runId}`] } }))
      await projection.apply(recorded.event);
    const refusal = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => 'resolved',
        (error: ServiceClientError) => ({ code: error.code, foreign: error.foreign }),
      );
    for (const attempt of [
      client.call('getRun', { runId }, stranger),
      client.call('getCases', { runId }, stranger),
      client.call('cancelRun', { runId, reason: null }, stranger),
      client.call('retryRun', { runId, mode: 'all' }, stranger),
      client.call('compareRuns', { runId, otherRunId: runId }, stranger),
    ])
      expect(await refusal(attempt)).toEqual({ code: 'NOT_FOUND', foreign: true });
    // A run that exists nowhere is not foreign.
    expect(await refusal(client.call('getRun', { runId: randomUUID() }, stranger))).toEqual({
      code: 'NOT_FOUND',
      foreign: false,
    });
    expect((await store.readStream(`run-${runId}`)).map((r) => r.event.type)).toEqual(['RunRequested']);
  });

  it('answers bad input, unknown runs and conflicts with their codes', async () => {
    const tenant = `tenant-${randomUUID()}`;
    expect(
      await codeOf(
        client.call(
          'submitRun',
          { dataset: { name: 'qa', cases: [] }, metrics: ['nope'], gate: { rules: [] } },
          identity(tenant),
        ),
      ),
    ).toBe('INVALID_INPUT 400');
    expect(await codeOf(client.call('cancelRun', { runId: randomUUID(), reason: null }, identity(tenant)))).toBe(
      'NOT_FOUND 404',
    );
    expect(await codeOf(client.call('listRuns', { cursor: 'not-a-cursor' }, identity(tenant)))).toBe(
      'INVALID_INPUT 400',
    );
    const { runId } = await client.call(
      'submitRun',
      {
        dataset: { name: 'qa', cases: [{ question: 'Q?', answer: 'A', contexts: [] }] },
        metrics: ['exact_match'],
        gate: { rules: [] },
      },
      identity(tenant),
    );
    expect(await codeOf(client.call('retryRun', { runId, mode: 'all' }, identity(tenant)))).toBe('CONFLICT 409');
  });
});
