import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  InProcessServiceClient,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  type ServiceClient,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { RunsOperations, RunView } from '@evalvault/service-apis';
import { startTestOidcIssuer, type RunningTestOidcIssuer } from '../auth/testing/index.js';
import { FIXED_RUNS_HANDLERS, RUN_VIEW } from '../bench/bench-fixtures.js';
import { createGatewayRuntime, type GatewayClients } from '../gateway.runtime.js';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';

interface Schema {
  required?: string[];
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
}

/** A judged run as the runs service answers it: its judge's requests, tokens, cached answers and cost. */
const JUDGED: RunView = {
  ...RUN_VIEW,
  runId: `run-${randomUUID()}`,
  lineage: { ...RUN_VIEW.lineage, judge: { provider: 'openai', model: 'judge-1', parametersJson: '{}' } },
  costUsd: 0.01234,
  usage: {
    requests: 9,
    promptTokens: 3_120,
    completionTokens: 287,
    totalTokens: 3_407,
    cacheHits: 2,
    costUsd: 0.01234,
  },
};

/**
 * GET …/runs/{runId} answers the run's LLM usage as the runs service gave it, whether the owner's answer is
 * forwarded as JSON text (in-process) or parsed (over HTTP), and the OpenAPI document describes that answer.
 */
describe('GET /v1/projects/{project}/runs/{runId}: usage', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let oidc: RunningTestOidcIssuer;
  let base: string;
  const owner = new InProcessServiceClient<RunsOperations>('runs', {
    ...FIXED_RUNS_HANDLERS,
    getRun: async () => JUDGED,
  });
  // The route asks for the text where the client offers it: switched per test.
  const runs: ServiceClient<RunsOperations> = {
    call: (operation, input, identity) => owner.call(operation, input, identity),
  };
  const project = `proj-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
    oidc = await startTestOidcIssuer();
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: null,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: { issuer: oidc.url, audience: oidc.issuer.audience, jwksUri: oidc.jwksUri },
      clients: { runs } as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await oidc.close();
    await store.close();
    await pool.end();
  });

  async function getRun(): Promise<RunView> {
    const token = await oidc.issuer.sign({
      sub: `viewer-${randomUUID()}`,
      tenant: 'tenant-usage',
      evalvault_roles: { [project]: ['viewer'] },
    });
    const response = await fetch(`${base}/v1/projects/${project}/runs/${JUDGED.runId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as RunView;
  }

  it.each([
    ['forwarded as the owner’s JSON text', true],
    ['parsed from the owner’s answer', false],
  ])('answers the usage %s', async (_how, asText) => {
    if (asText) runs.callJsonText = (operation, input, identity) => owner.callJsonText(operation, input, identity);
    else delete runs.callJsonText;
    const run = await getRun();
    expect(run.usage).toEqual(JUDGED.usage);
    expect(run).toEqual(JUDGED);
  });

  it('documents every field of the answer, usage with its tokens among them', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
      >;
    };
    const schema =
      document.paths['/v1/projects/{project}/runs/{runId}']!['get']!.responses['200']!.content!['application/json']!
        .schema;
    expect([...schema.required!].sort()).toEqual(Object.keys(JUDGED).sort());
    const usage = schema.properties!['usage']!.anyOf!.find((option) => option.properties)!;
    expect([...usage.required!].sort()).toEqual(Object.keys(JUDGED.usage!).sort());
  });
});
