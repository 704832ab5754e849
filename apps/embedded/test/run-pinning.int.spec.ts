import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  InProcessServiceClient,
  migrateContentStore,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  ServiceClientErrorCode,
  type OperationHandlers,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { RegistryOperations, RunsOperations, SubmitRunRequest } from '@evalvault/service-apis';
import {
  createGatewayRuntime,
  GATEWAY_MIGRATIONS,
  GATEWAY_SCHEMA,
  inProcessRegistryClient,
  type GatewayClients,
} from '@evalvault/service-gateway';
import {
  loadConfig as registryConfig,
  REGISTRY_MIGRATIONS,
  REGISTRY_SCHEMA,
  REGISTRY_SERVICE,
} from '@evalvault/service-registry';

/**
 * A run's registry references through the real gateway and the real registry (its internal API
 * in-process, on PostgreSQL) in a project whose policy requires approval: the gateway pins exact
 * versions named by name or label, and refuses an unapproved one with 422 naming it. The runs
 * service is a stand-in that records what it was asked to run.
 */
describe('runs pinned to approved registry versions, through the gateway', () => {
  let app: NestFastifyApplication;
  let base: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const submitted: SubmitRunRequest[] = [];
  const bootstrapKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const tag = randomBytes(4).toString('hex');

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    await runMigrations(testDatabaseUrl(), REGISTRY_SCHEMA, REGISTRY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
    store = new PostgresEventStore(pool);
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    // The bootstrap key's project, default of tenant default, runs approved versions only.
    const registry = await REGISTRY_SERVICE.compose(
      registryConfig({ REGISTRY_APPROVAL_REQUIRED: 'default/default' }),
      {
        pool,
        dataSource,
        store,
        kafka: null,
        logger,
        registry: createMetricsRegistry('registry'),
        eventServer: () => ({}) as CustomTransportStrategy, // its read model is fed at once by its commands
      },
      undefined as never,
    );
    const elsewhere = async (): Promise<never> => {
      throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'not served here');
    };
    const runs: OperationHandlers<RunsOperations> = {
      submitRun: async (input: SubmitRunRequest) => {
        submitted.push(input);
        return { runId: randomUUID(), status: 'requested', configHash: 'c'.repeat(64) };
      },
      getRun: elsewhere,
      listRuns: elsewhere,
      getCases: elsewhere,
      cancelRun: elsewhere,
      retryRun: elsewhere,
    } as unknown as OperationHandlers<RunsOperations>; // only submitRun is asked for
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: bootstrapKey,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: null,
      clients: {
        runs: new InProcessServiceClient<RunsOperations>('runs', runs),
        registry: inProcessRegistryClient(
          new InProcessServiceClient<RegistryOperations>('registry', registry.internalApi!.operations),
          elsewhere,
          0,
        ),
      } satisfies GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/v1/projects/default${path}`, {
      method,
      headers: { authorization: `Bearer ${bootstrapKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const run = (prompt: unknown) => ({
    dataset: { name: 'qa', cases: [{ question: 'q', answer: 'a', contexts: [] }] },
    metrics: ['exact_match'],
    prompt,
  });

  it('refuses a run naming an unapproved prompt version with 422 naming it, and pins it once approved', async () => {
    const name = `answer-${tag}`;
    const v1 = await call('POST', '/prompts', { name, template: 'Answer {{question}}' });
    expect(v1.status).toBe(201);
    const { id, contentHash } = v1.body as { id: string; contentHash: string };

    const refused = await call('POST', '/runs', run({ name }));
    expect(refused).toEqual({
      status: 422,
      body: expect.objectContaining({
        code: 'VERSION_NOT_APPROVED',
        detail: `prompt ${name} v1 (${id}) is not approved; project default runs approved versions only`,
      }),
    });
    expect(submitted).toEqual([]);

    expect((await call('POST', `/prompts/${id}/versions/1/approve`, {})).status).toBe(200);
    expect((await call('POST', '/runs', run({ name }))).status).toBe(202);
    expect(submitted.at(-1)!.prompt).toEqual({ id, name, version: 1, contentHash });
  });

  it('resolves labels to exact versions: approved pins the newest approved one, latest is refused', async () => {
    const name = `rubric-${tag}`;
    const v1 = await call('POST', '/prompts', { name, template: 'Grade {{answer}}' });
    const { id } = v1.body as { id: string };
    await call('POST', `/prompts/${id}/versions/1/approve`, {});
    const v2 = await call('POST', '/prompts', { name, template: 'Grade: {{answer}}' });
    expect(v2.body).toMatchObject({ version: 2 });

    expect((await call('POST', '/runs', run({ name, label: 'approved', contentHash: 'forged' }))).status).toBe(202);
    expect(submitted.at(-1)!.prompt).toMatchObject({ id, version: 1, contentHash: v1.body['contentHash'] });
    expect(await call('POST', '/runs', run({ id, label: 'latest' }))).toMatchObject({
      status: 422,
      body: { detail: expect.stringContaining(`prompt ${name} v2`) },
    });
    expect((await call('POST', '/runs', run({ name: 'no-such-prompt' }))).status).toBe(404);
  });
});
