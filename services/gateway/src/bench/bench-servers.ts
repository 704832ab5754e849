import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  InProcessServiceClient,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
} from '@evalvault/platform';
import type { RunsOperations } from '@evalvault/service-apis';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';
import { createGatewayRuntime } from '../gateway.runtime.js';
import { DEFAULT_BODY_LIMIT } from '../http/index.js';
import { FIXED_RUNS_HANDLERS } from './bench-fixtures.js';
import { BenchError } from './bench-support.js';

/** Far above anything two cores can send in a window: the limiter runs (and costs) but never refuses. */
export const BENCH_RATE_LIMIT = { max: 1_000_000_000, windowMs: 60_000 };
/** As in main.ts. */
const POOL_SIZE = 10;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface BenchGateway extends RunningServer {
  pool: pg.Pool;
}

async function connected<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    throw new BenchError(
      `cannot reach ${what}: ${(error as Error).message} (is PostgreSQL up? npm run infra:postgres)`,
    );
  }
}

/**
 * The gateway as main.ts builds it, in this process and on 127.0.0.1: real PostgreSQL (API keys
 * looked up on every request), the bootstrap key made admin of project `default`, no OIDC, no
 * relay, and the runs service replaced by an in-process client answering fixed values.
 */
export async function startGateway(databaseUrl: string, bootstrapKey: string): Promise<BenchGateway> {
  const where = databaseUrl.replace(/\/\/[^@/]*@/, '//');
  await connected(`PostgreSQL at ${where} (migrating the event store and schema ${GATEWAY_SCHEMA})`, async () => {
    await migrateEventStore(databaseUrl);
    await runMigrations(databaseUrl, GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE, connectionTimeoutMillis: 5_000 });
  const store = new PostgresEventStore(pool);
  const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'warn' as const, redactPaths: [] };
  const logger = createLogger(config);
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  let app: NestFastifyApplication | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await store.close();
    await pool.end();
  };
  try {
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: bootstrapKey,
        http: { bodyLimit: DEFAULT_BODY_LIMIT, rateLimit: { ...BENCH_RATE_LIMIT, tenantMax: {} } },
      },
      logger,
      pool,
      store,
      pepper: randomBytes(32),
      oidc: null,
      clients: { runs: new InProcessServiceClient<RunsOperations>('runs', FIXED_RUNS_HANDLERS) },
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, pool, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** A fixed answer of the baseline: the status, media type and bytes the gateway sends. */
export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * The baseline: a bare node:http server answering each `METHOD path` with fixed bytes. It reads
 * a request body to its end before answering, as any server must; it parses nothing.
 */
export async function startBaseline(answers: ReadonlyMap<string, Answer>): Promise<RunningServer> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.once('end', () => {
      const answer = answers.get(`${request.method} ${request.url}`);
      if (!answer) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** One untimed request: the server must answer exactly `expected`, or the comparison would be void. */
export async function expectAnswer(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  expected: Answer,
): Promise<void> {
  const response = await fetch(`${base}${path}`, { method, headers, body: body ?? null });
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  if (
    response.status !== expected.status ||
    contentType !== expected.contentType ||
    text !== expected.body.toString('utf8')
  ) {
    throw new BenchError(
      `${method} ${base}${path} answered ${response.status} (${contentType}) ${text.slice(0, 300)}; ` +
        `expected ${expected.status} (${expected.contentType}) with the fixed JSON`,
    );
  }
}
