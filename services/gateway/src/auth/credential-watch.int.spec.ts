import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import {
  createLogger,
  createServiceApp,
  migrateEventStore,
  PostgresEventStore,
  runMigrations,
  ServiceClientError,
  ServiceClientErrorCode,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { RunView } from '@evalvault/service-apis';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from '../migrations/gateway.migrations.js';
import { createGatewayRuntime, type GatewayClients } from '../gateway.runtime.js';
import type { AuditClient } from '../audit/audit.controller.js';
import { startTestOidcIssuer, type RunningTestOidcIssuer } from './testing/index.js';

const RECHECK_MS = 100;
/** Far more than a re-check takes, far less than the 30 minutes a stream lasts unwatched. */
const CUT_WITHIN_MS = 3_000;

const newKey = (): string => `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const keyIdOf = (key: string): string => key.slice(4, 16);

/** A run that never finishes: its progress stream would last the full 30 minutes. */
const running = (runId: string): RunView =>
  ({
    runId,
    projectId: 'default',
    status: 'running',
    counts: { total: 3, completed: 1, failed: 0 },
    gate: null,
  }) as unknown as RunView;

/** An audit log that never ends: a line every 10 ms until the gateway lets go of it. */
class EndlessAudit implements AuditClient {
  lines = 0;
  released = false;

  async call(): Promise<never> {
    throw new ServiceClientError(ServiceClientErrorCode.Unavailable, 'not needed');
  }

  async stream(): Promise<{ contentType: string; body: AsyncIterable<Uint8Array> }> {
    const body = async function* (this: EndlessAudit): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          this.lines += 1;
          yield Buffer.from(`${JSON.stringify({ seq: this.lines, action: 'RunRequested', pad: 'x'.repeat(200) })}\n`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        this.released = true;
      }
    }.call(this);
    return { contentType: 'application/x-ndjson; charset=utf-8', body };
  }
}

interface Followed {
  frames: { event: string; data: string }[];
  /** When the server ended the stream (rejects when the connection broke). */
  ended: Promise<number>;
}

/** Reads a text/event-stream response in the background, frame by frame. */
function follow(response: Response): Followed {
  const frames: Followed['frames'] = [];
  const ended = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return Date.now();
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (event) frames.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '' });
      }
    }
  })();
  ended.catch(() => undefined); // observed by the tests that expect it
  return { frames, ended };
}

/** The promise, or a failure naming what did not happen in time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still going after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Long responses over real HTTP, against the real key store and member grants in PostgreSQL:
 * a run's progress stream and the audit export end once their credential is revoked, expires
 * or loses the role, within a (short, configured) re-check interval, instead of running on
 * for up to 30 minutes.
 */
describe('long responses end when their credential lapses', () => {
  let app: NestFastifyApplication;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let oidc: RunningTestOidcIssuer;
  let base: string;
  const audit = new EndlessAudit();
  const pepper = randomBytes(32);
  const adminKey = newKey();
  const tenant = `tenant-${randomBytes(4).toString('hex')}`;
  const project = `proj-${randomBytes(4).toString('hex')}`;
  const opened: AbortController[] = [];

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), GATEWAY_SCHEMA, GATEWAY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool);
    oidc = await startTestOidcIssuer();
    const config = { serviceName: 'gateway', host: '127.0.0.1', port: 0, logLevel: 'silent' as const, redactPaths: [] };
    const logger = createLogger(config);
    const runs = { call: async (_operation: string, input: { runId: string }) => running(input.runId) };
    const gateway = await createGatewayRuntime({
      config: {
        bootstrapAdminKey: adminKey,
        http: { bodyLimit: 1024 * 1024, rateLimit: { max: 100_000, windowMs: 60_000, tenantMax: {} } },
        streamRecheckMs: RECHECK_MS,
      },
      logger,
      pool,
      store,
      pepper,
      oidc: { issuer: oidc.url, audience: oidc.issuer.audience, jwksUri: oidc.jwksUri },
      clients: { runs, audit } as unknown as GatewayClients,
    });
    app = await createServiceApp(gateway.module, config, logger);
    await gateway.beforeListen(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterEach(() => {
    for (const controller of opened.splice(0)) controller.abort();
  });

  afterAll(async () => {
    await app.close();
    await oidc.close();
    await store.close();
    await pool.end();
  });

  const call = (path: string, credential: string, init: RequestInit = {}): Promise<Response> => {
    const controller = new AbortController();
    opened.push(controller);
    const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
    if (init.body) headers['content-type'] = 'application/json';
    return fetch(`${base}${path}`, { ...init, headers, signal: controller.signal });
  };

  const progressOf = async (credential: string, inProject = 'default'): Promise<Followed> => {
    const response = await call(`/v1/projects/${inProject}/runs/${randomUUID()}/events`, credential);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const followed = follow(response);
    await waitFor(() => followed.frames.some((frame) => frame.event === 'progress'), 2_000, 'first progress event');
    return followed;
  };

  const issueKey = async (body: Record<string, unknown>): Promise<{ key: string; apiKeyId: string }> => {
    const issued = await call('/v1/projects/default/api-keys', adminKey, {
      method: 'POST',
      body: JSON.stringify({ name: `stream-${randomBytes(3).toString('hex')}`, ...body }),
    });
    expect(issued.status).toBe(201);
    return (await issued.json()) as { key: string; apiKeyId: string };
  };

  const errorOf = (followed: Followed): Record<string, unknown> => {
    const errors = followed.frames.filter((frame) => frame.event === 'error');
    expect(errors).toHaveLength(1);
    expect(followed.frames.at(-1)!.event).toBe('error');
    return JSON.parse(errors[0]!.data) as Record<string, unknown>;
  };

  it('ends a run’s progress stream with CREDENTIAL_REVOKED once its API key is revoked', async () => {
    const { key, apiKeyId } = await issueKey({ role: 'viewer' });
    const stream = await progressOf(key);
    // Several re-checks pass while the key is good: the stream is not cut for nothing.
    await new Promise((resolve) => setTimeout(resolve, 4 * RECHECK_MS));
    expect(stream.frames.map((frame) => frame.event)).not.toContain('error');

    const revoked = await call(`/v1/projects/default/api-keys/${apiKeyId}`, adminKey, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const revokedAt = Date.now();

    const endedAt = await within(stream.ended, CUT_WITHIN_MS, 'the progress stream of a revoked key');
    expect(endedAt - revokedAt).toBeLessThan(CUT_WITHIN_MS);
    expect(errorOf(stream)).toMatchObject({
      type: 'urn:evalvault:problem:credential-revoked',
      title: 'Credential revoked',
      status: 401,
      code: 'CREDENTIAL_REVOKED',
      detail: expect.stringContaining(`API key evk_${apiKeyId} was revoked at`),
    });
    expect(stream.frames.map((frame) => frame.event)).not.toContain('done');
    // The key itself is refused from now on, as for any request.
    expect((await call('/v1/projects/default/runs', key)).status).toBe(401);
  });

  it('ends a run’s progress stream with CREDENTIAL_EXPIRED once its API key expires', async () => {
    const expiresAt = new Date(Date.now() + 1_500);
    const { key } = await issueKey({ role: 'viewer', expiresAt: expiresAt.toISOString() });
    const stream = await progressOf(key);

    const endedAt = await within(stream.ended, 1_500 + CUT_WITHIN_MS, 'the progress stream of an expired key');
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(errorOf(stream)).toMatchObject({
      status: 401,
      code: 'CREDENTIAL_EXPIRED',
      detail: expect.stringContaining('expired at'),
    });
  });

  it('ends an OIDC user’s progress stream when the token expires (exp plus the 30 s clock tolerance)', async () => {
    // Accepted until exp + 30 s: an exp 28 s ago leaves the token 1–2 s more.
    const exp = Math.floor(Date.now() / 1000) - 28;
    const token = await oidc.issuer.sign(
      { sub: `user-${randomUUID()}`, tenant, evalvault_roles: { [project]: ['viewer'] } },
      { expiresIn: exp },
    );
    const stream = await progressOf(token, project);

    const endedAt = await within(stream.ended, 2_000 + CUT_WITHIN_MS, 'the progress stream of an expired token');
    expect(endedAt).toBeGreaterThanOrEqual((exp + 30) * 1000);
    expect(endedAt).toBeLessThan((exp + 30) * 1000 + CUT_WITHIN_MS);
    expect(errorOf(stream)).toMatchObject({ status: 401, code: 'CREDENTIAL_EXPIRED' });
  });

  it('ends an OIDC user’s progress stream with FORBIDDEN once the member grant it relied on is removed', async () => {
    const admin = await oidc.issuer.sign({ sub: 'project-admin', tenant, evalvault_roles: { [project]: ['admin'] } });
    const subject = `member-${randomBytes(4).toString('hex')}`;
    const token = await oidc.issuer.sign({ sub: subject, tenant }); // no roles of its own
    const granted = await call(`/v1/projects/${project}/members`, admin, {
      method: 'POST',
      body: JSON.stringify({ subject, role: 'viewer' }),
    });
    expect(granted.status).toBeLessThan(300);
    const stream = await progressOf(token, project);

    const removed = await call(`/v1/projects/${project}/members/${subject}`, admin, { method: 'DELETE' });
    expect(removed.status).toBeLessThan(300);

    await within(stream.ended, CUT_WITHIN_MS, 'the progress stream of a removed member');
    expect(errorOf(stream)).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      detail: `runs.read needs a role this credential no longer holds in project ${project}`,
    });
  });

  it('breaks off an audit export once its key is revoked: an incomplete download, not a shorter file', async () => {
    // A second key, given the tenant's auditor role by the admin of project default.
    const { key: auditorKey } = await issueKey({ role: 'viewer', tenantRoles: ['auditor'] });
    const response = await call('/v1/audit/export?format=jsonl', auditorKey);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = 0;
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return received;
        received += value.byteLength;
      }
    })();
    read.catch(() => undefined);
    await waitFor(() => audit.lines > 5, 2_000, 'the export streaming');
    // Still streaming after several re-checks with a good key.
    await new Promise((resolve) => setTimeout(resolve, 4 * RECHECK_MS));
    expect(audit.released).toBe(false);

    const revoked = await call(`/v1/projects/default/api-keys/${keyIdOf(auditorKey)}`, adminKey, {
      method: 'DELETE',
    });
    expect(revoked.status).toBe(200);

    // The connection breaks (no terminating chunk), so no client mistakes the bytes so far for the export.
    await expect(within(read, CUT_WITHIN_MS, 'the export of a revoked key')).rejects.toThrow('terminated');
    expect(received).toBeGreaterThan(0);
    await waitFor(() => audit.released, CUT_WITHIN_MS, 'the audit service’s stream released');
  });
});
