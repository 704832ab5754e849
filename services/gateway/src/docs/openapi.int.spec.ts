import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, createServiceApp, ServiceClientError, ServiceClientErrorCode } from '@evalvault/platform';
import { GatewayModule } from '../gateway.module.js';
import { installHttpEdges } from '../http/index.js';
import { installOpenApi } from './openapi.js';

/** /docs documents every /v1 route the gateway serves, with its method and parameters. */
describe('OpenAPI document', () => {
  let app: NestFastifyApplication;
  const served: string[] = [];

  beforeAll(async () => {
    const refuse = async (): Promise<never> => {
      throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'not needed');
    };
    const unreachable = { call: refuse, stream: refuse, uploadDataset: refuse };
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    // Every owner present, so every controller the gateway can serve is registered.
    const module = GatewayModule.with({
      runs: unreachable,
      apiKeys: null,
      members: null,
      notifications: unreachable,
      audit: unreachable,
      registry: unreachable,
    });
    app = await createServiceApp(module, config, createLogger(config));
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRoute', (route) => {
      // Fastify answers HEAD for every GET by itself; those are not routes of ours to document.
      const methods = ([] as string[]).concat(route.method).filter((method) => method !== 'HEAD');
      if (route.url.startsWith('/v1/'))
        methods.forEach((method) => served.push(`${method.toLowerCase()} ${route.url.replace(/:(\w+)/g, '{$1}')}`));
    });
    await installOpenApi(fastify, 'test');
    // The validator the real gateway compiles schemas with.
    await installHttpEdges(app, { rateLimit: false, idempotency: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
  });

  it('is OpenAPI 3 and lists every served route', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const document = (await (await fetch(`http://127.0.0.1:${address.port}/docs`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: unknown[] }>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThanOrEqual(40); // runs, access, registry, notification-route and audit routes
    expect(documented.sort()).toEqual(expect.arrayContaining([...new Set(served)].sort()));
    expect(document.paths['/v1/projects/{project}/runs']?.['post']).toMatchObject({ requestBody: expect.anything() });
  });

  it("documents a comparison's statistics: interval, Wilcoxon p-value, effect size, most regressed cases", async () => {
    const address = app.getHttpServer().address() as { port: number };
    const document = (await (await fetch(`http://127.0.0.1:${address.port}/docs`)).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    const compare = document.paths['/v1/projects/{project}/runs/{runId}/compare/{otherRunId}']?.['get'];
    const schema = compare?.responses?.['200']?.content?.['application/json'] as {
      schema: { properties: { metrics: { items: { properties: { paired: { anyOf: { properties?: object }[] } } } } } };
    };
    const paired = schema.schema.properties.metrics.items.properties.paired.anyOf.find((branch) => branch.properties);
    expect(Object.keys(paired?.properties ?? {})).toEqual(
      expect.arrayContaining(['meanDifference', 'interval', 'test', 'effectSize', 'verdict', 'mostRegressed']),
    );
  });
});
