import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry, type Telemetry } from '../observability/telemetry.js';
import { HttpServiceClient } from './http-service-client.js';
import { registerInternalApi } from './internal-api.js';
import { InternalIdentitySigner, InternalIdentityVerifier, type InternalIdentity } from './internal-identity.js';
import { ServiceClientErrorCode } from './service-client.errors.js';

type TraceOperations = { activeTraceId: { input: null; output: string | null } };

const SERVICE = 'tracing-owner';
const secret = randomBytes(32);
const signer = new InternalIdentitySigner({ secret });
const identity: InternalIdentity = {
  tenantId: `tenant-${randomUUID()}`,
  projectId: null,
  roles: [],
  actor: { subject: `user-${randomUUID()}`, authMethod: 'api_key', apiKeyId: `key-${randomUUID()}` },
};
const clientFor = (baseUrl: string, timeoutMs?: number): HttpServiceClient<TraceOperations> =>
  new HttpServiceClient({ serviceName: SERVICE, baseUrl, signer, ...(timeoutMs ? { timeoutMs } : {}) });
const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

/** A TCP server that accepts connections and never answers: the owner that hangs. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

describe('HTTP service client failure modes', () => {
  it('reports an owner nobody listens for as UNAVAILABLE', async () => {
    const { server, port } = await silentServer();
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(clientFor(`http://127.0.0.1:${port}`).call('activeTraceId', null, identity));
    expect(error).toMatchObject({
      code: ServiceClientErrorCode.Unavailable,
      status: 503,
      message: expect.stringMatching(/unreachable/),
    });
  });

  it('reports an owner that does not answer in time as UNAVAILABLE', async () => {
    const { server, port, sockets } = await silentServer();
    try {
      const error = await failure(clientFor(`http://127.0.0.1:${port}`, 200).call('activeTraceId', null, identity));
      expect(error).toMatchObject({
        code: ServiceClientErrorCode.Unavailable,
        message: `${SERVICE} did not answer within 200 ms`,
      });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads a foreign error page (a proxy's 502) by its status", async () => {
    const proxy = Fastify();
    proxy.post('/internal/v1/activeTraceId', async (_request, reply) =>
      reply.code(502).type('text/html').send('<h1>Bad Gateway</h1>'),
    );
    try {
      const error = await failure(
        clientFor(await proxy.listen({ host: '127.0.0.1', port: 0 })).call('activeTraceId', null, identity),
      );
      expect(error).toMatchObject({ code: ServiceClientErrorCode.Unavailable, status: 502 });
    } finally {
      await proxy.close();
    }
  });
});

describe('HTTP service client trace propagation', () => {
  let telemetry: Telemetry;
  let owner: FastifyInstance;
  let client: HttpServiceClient<TraceOperations>;
  const traceparents: (string | undefined)[] = [];

  beforeAll(async () => {
    // A span processor makes the SDK register a real tracer provider (without one, spans are no-ops).
    telemetry = startTelemetry('service-client-test', {
      exportSpans: false,
      spanProcessors: [new NoopSpanProcessor()],
    });
    owner = Fastify();
    owner.addHook('onRequest', async (request) => {
      traceparents.push(request.headers['traceparent'] as string | undefined);
    });
    registerInternalApi<TraceOperations>(owner, {
      verifier: new InternalIdentityVerifier({ secret, serviceName: SERVICE }),
      handlers: { activeTraceId: async () => trace.getSpanContext(context.active())?.traceId ?? null },
    });
    client = clientFor(await owner.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    await owner.close();
    await telemetry.shutdown();
  });

  it('sends the active span as traceparent, and the owner handles the call inside that trace', async () => {
    const span = trace.getTracer('service-client-test').startSpan('caller');
    const { traceId, spanId } = span.spanContext();
    const ownerTraceId = await context.with(trace.setSpan(context.active(), span), () =>
      client.call('activeTraceId', null, identity),
    );
    span.end();
    expect(traceparents.at(-1)).toBe(`00-${traceId}-${spanId}-01`);
    expect(ownerTraceId).toBe(traceId);
  });

  it('sends no traceparent when no span is active', async () => {
    await expect(client.call('activeTraceId', null, identity)).resolves.toBeNull();
    expect(traceparents.at(-1)).toBeUndefined();
  });
});
