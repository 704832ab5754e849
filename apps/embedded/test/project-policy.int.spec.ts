import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventCodec, type RunRequested } from '@evalvault/contracts';
import { FakeLlmServer } from '@evalvault/llm/testing';
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
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type {
  AuditEntryView,
  AuditOperations,
  AuditStreams,
  RegistryOperations,
  RunsOperations,
} from '@evalvault/service-apis';
import {
  AUDIT_MIGRATIONS,
  AUDIT_SCHEMA,
  auditOperationHandlers,
  auditStreamHandlers,
  composeAuditParts,
  type AuditParts,
} from '@evalvault/service-audit';
import {
  createGatewayRuntime,
  GATEWAY_MIGRATIONS,
  GATEWAY_SCHEMA,
  inProcessRegistryClient,
  type GatewayClients,
} from '@evalvault/service-gateway';
import {
  loadConfig as registryConfig,
  projectPolicyStreamId,
  REGISTRY_MIGRATIONS,
  REGISTRY_SCHEMA,
  REGISTRY_SERVICE,
} from '@evalvault/service-registry';
import { loadRunsConfig, RUNS_MIGRATIONS, RUNS_SCHEMA, RUNS_SERVICE } from '@evalvault/service-runs';

/**
 * A project's policy over HTTP, through the real gateway (OIDC tokens, the role matrix), the real
 * registry that owns it, the real runs service that checks runs against it (with an LLM judge on a
 * local fake vendor, never called here) and the real audit service, all in-process on PostgreSQL:
 * only admins set it, everyone in the project reads it, a run it does not allow is refused with
 * 422 naming the policy's field and the value, and its changes land in the audit log.
 */
describe('project policies through the gateway', () => {
  let app: NestFastifyApplication;
  let base: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let jwks: Server;
  let llm: FakeLlmServer;
  let audit: AuditParts;
  let privateKey: CryptoKey;
  let issuer: string;
  const kid = `test-${randomUUID()}`;
  const tenant = `tenant-${randomBytes(4).toString('hex')}`;
  const judgeModel = `judge-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    for (const [schema, migrations] of [
      [GATEWAY_SCHEMA, GATEWAY_MIGRATIONS],
      [REGISTRY_SCHEMA, REGISTRY_MIGRATIONS],
      [RUNS_SCHEMA, RUNS_MIGRATIONS],
      [AUDIT_SCHEMA, AUDIT_MIGRATIONS],
    ] as const)
      await runMigrations(testDatabaseUrl(), schema, [...migrations]);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 8 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    llm = await FakeLlmServer.start({ apiKeys: [], script: () => ({ text: '{}' }) });
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const idle = { listen: () => undefined, close: () => undefined } as unknown as CustomTransportStrategy;
    const adapters = (name: string) => ({
      pool,
      dataSource,
      store,
      kafka: null,
      logger,
      registry: createMetricsRegistry(name),
      eventServer: () => idle, // read models fed by their commands; the audit log below by the test
    });
    const registry = await REGISTRY_SERVICE.compose(registryConfig({}), adapters('registry'), undefined as never);
    const runsConfig = loadRunsConfig({
      RUNS_ROLES: 'worker',
      EVALVAULT_JUDGE_PROVIDER: 'openai',
      EVALVAULT_JUDGE_BASE_URL: llm.url,
      EVALVAULT_JUDGE_MODEL: judgeModel,
    });
    const runs = await RUNS_SERVICE.compose(runsConfig, adapters('runs'), undefined as never);
    audit = composeAuditParts({ pool, dataSource, store }, { shorteningDelayMs: 72 * 60 * 60 * 1000 });

    const keys = await generateKeyPair('RS256', { extractable: true });
    privateKey = keys.privateKey;
    const publicJwk: JWK = { ...(await exportJWK(keys.publicKey)), kid, use: 'sig', alg: 'RS256' };
    jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;

    const elsewhere = async (): Promise<never> => {
      throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'not served here');
    };
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: null,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: { issuer, audience: 'evalvault-api', jwksUri: `${issuer}/jwks` },
      clients: {
        runs: new InProcessServiceClient<RunsOperations>('runs', runs.internalApi!.operations),
        registry: inProcessRegistryClient(
          new InProcessServiceClient<RegistryOperations>('registry', registry.internalApi!.operations),
          elsewhere,
          0,
        ),
        audit: new InProcessServiceClient<AuditOperations, AuditStreams>(
          'audit',
          auditOperationHandlers({ ...audit, newId: randomUUID }),
          auditStreamHandlers(audit.queries),
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
    await new Promise((resolve) => jwks.close(resolve));
    await llm.close();
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  type Who = 'viewer' | 'editor' | 'admin' | 'auditor';
  const tokenOf = (who: Who, project: string): Promise<string> =>
    new SignJWT({
      iss: issuer,
      aud: 'evalvault-api',
      sub: `${who}@example.com`,
      tenant,
      evalvault_roles: who === 'auditor' ? { $tenant: ['auditor'] } : { [project]: [who] },
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  /** A request of `who` in a project (its role there; an auditor's is the tenant's); paths under the project. */
  const as = (project: string) => async (who: Who, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path.startsWith('/v1/') ? path : `/v1/projects/${project}${path}`}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenOf(who, project)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const inline = (metrics: string[], extra: Record<string, unknown> = {}) => ({
    dataset: { name: 'qa', cases: [{ question: 'What is 2 + 2?', answer: 'Four.', contexts: ['2 + 2 = 4'] }] },
    metrics,
    ...extra,
  });
  const production = {
    allowedModels: ['anthropic:*', 'openai:gpt-4o'],
    allowedMetrics: ['token_f1', 'exact_match', 'faithfulness'],
    dailyCapUsd: 25,
    monthlyCapUsd: 400,
    reason: 'production: approved models only',
  };
  const { reason: _reason, ...productionPolicy } = production;
  /** A project of this test's own, its admin having set the production policy. */
  const productionProject = async () => {
    const project = `shop-${randomBytes(4).toString('hex')}`;
    expect((await as(project)('admin', 'PUT', '/policy', production)).status).toBe(200);
    return { project, call: as(project) };
  };

  it('shows the policy to every project role and lets only an admin set it', async () => {
    const project = `shop-${randomBytes(4).toString('hex')}`;
    const call = as(project);
    expect(await call('viewer', 'GET', '/policy')).toEqual({
      status: 200,
      body: {
        projectId: project,
        revision: 0,
        allowedModels: null,
        allowedMetrics: null,
        dailyCapUsd: null,
        monthlyCapUsd: null,
        approvedVersionsOnly: false,
        operatorRequiresApproval: false,
      },
    });
    for (const who of ['viewer', 'editor'] as const)
      expect(await call(who, 'PUT', '/policy', production)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN', detail: `policy.manage needs a role you do not hold in project ${project}` },
      });
    expect(await call('auditor', 'GET', '/policy')).toMatchObject({ status: 403 });

    const set = await call('admin', 'PUT', '/policy', production);
    const view = { projectId: project, revision: 1, ...productionPolicy, approvedVersionsOnly: false };
    expect(set).toEqual({ status: 200, body: { ...view, operatorRequiresApproval: false } });
    expect(await call('viewer', 'GET', '/policy')).toEqual(set);
    expect((await call('admin', 'PUT', '/policy', production)).body).toMatchObject({ revision: 1 }); // unchanged

    expect(await call('admin', 'PUT', '/policy', { allowedMetrics: ['token_f1', 'fidelity'] })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_INPUT', detail: expect.stringMatching(/^allowedMetrics\[1\]: unknown metric "fidelity"/) },
    });
    expect(await call('admin', 'PUT', '/policy', { dailyCapUsd: -1, budget: 3 })).toMatchObject({ status: 400 });
    expect((await call('viewer', 'GET', '/policy')).body).toMatchObject({ revision: 1 });
  });

  it('refuses a run naming a metric the policy does not allow: 422 naming allowedMetrics and the metric', async () => {
    const { call } = await productionProject();
    const refused = await call('editor', 'POST', '/runs', inline(['token_f1', 'bleu']));
    expect(refused).toEqual({
      status: 422,
      body: expect.objectContaining({
        code: 'POLICY_VIOLATION',
        title: "Refused by the project's policy",
        detail:
          'project policy (revision 1): allowedMetrics does not allow metric bleu ' +
          '(allowed: token_f1, exact_match, faithfulness)',
      }),
    });
  });

  it("refuses a run whose judge's or model profile's provider:model the policy does not allow", async () => {
    const { call } = await productionProject();
    const judged = await call('editor', 'POST', '/runs', inline(['faithfulness']));
    expect(judged).toMatchObject({
      status: 422,
      body: {
        code: 'POLICY_VIOLATION',
        detail:
          `project policy (revision 1): allowedModels does not allow the judge's model openai:${judgeModel} ` +
          '(allowed: anthropic:*, openai:gpt-4o)',
      },
    });
    const profile = { name: 'answerer', provider: 'ollama', model: 'llama3.1', parameters: {} };
    expect((await call('editor', 'POST', '/model-profiles', profile)).status).toBe(201);
    const named = inline(['token_f1'], { modelProfile: { name: 'answerer' } });
    expect(await call('editor', 'POST', '/runs', named)).toMatchObject({
      status: 422,
      body: {
        code: 'POLICY_VIOLATION',
        detail: expect.stringContaining("allowedModels does not allow the model profile's model ollama:llama3.1"),
      },
    });
    // A provider the policy allows whole: the run is accepted and pins the policy it was checked against.
    const allowed = { name: 'answerer', provider: 'anthropic', model: 'claude-3-5-haiku', parameters: {} };
    expect((await call('editor', 'POST', '/model-profiles', allowed)).status).toBe(201);
    const accepted = await call('editor', 'POST', '/runs', named);
    expect(accepted.status).toBe(202);
    const [requested] = await store.readStream(`run-${accepted.body['runId'] as string}`, { maxCount: 1 });
    expect((requested!.event as RunRequested).payload.policy).toEqual({
      revision: 1,
      ...productionPolicy,
      approvedVersionsOnly: false,
    });
  });

  it('records every policy change in the audit log, with what changed and why', async () => {
    const { project, call } = await productionProject();
    await call('admin', 'PUT', '/policy', { ...production, dailyCapUsd: 10, reason: 'tighter' });
    // What the registry's relay and the audit log's consumer do with the events of the policy's stream.
    for (const { event } of await store.readStream(projectPolicyStreamId(tenant, project)))
      await audit.projection.apply(event);
    const { status, body } = await call('auditor', 'GET', '/v1/audit?action=ProjectPolicyChanged');
    expect(status).toBe(200);
    const entries = body['items'] as AuditEntryView[];
    expect(
      entries.map(({ projectId, actor, resources, details }) => ({ projectId, actor, resources, details })),
    ).toEqual(
      [1, 2].map((revision) => ({
        projectId: project,
        actor: expect.objectContaining({ subject: 'admin@example.com' }),
        resources: [{ type: 'project-policy', id: project, version: revision, contentHash: null }],
        details: {
          changed: revision === 1 ? 'allowedModels,allowedMetrics,dailyCapUsd,monthlyCapUsd' : 'dailyCapUsd',
          allowedModels: 'anthropic:*,openai:gpt-4o',
          allowedMetrics: 'token_f1,exact_match,faithfulness',
          dailyCapUsd: revision === 1 ? 25 : 10,
          monthlyCapUsd: 400,
          approvedVersionsOnly: false,
          reason: revision === 1 ? 'production: approved models only' : 'tighter',
        },
      })),
    );
  });
});
