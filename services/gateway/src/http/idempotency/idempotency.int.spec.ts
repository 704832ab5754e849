import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import pg from 'pg';
import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { EdgeError } from '../problem-codes.js';
import { postJson, startEdgesApp, TEST_TENANT_HEADER, type EdgesApp } from '../testing/edges-app.js';
import { idempotencyScopeMigration } from './idempotency-scope.migration.js';
import { idempotencyMigration } from './idempotency.migration.js';
import { IdempotencyStore } from './idempotency.store.js';
import { requestHash } from './request-hash.js';
import { SecretBearing } from './secret-bearing.js';

// A schema of its own, so a CI run using the real `gateway` schema at the same time is not disturbed.
const SCHEMA = 'gateway_http_idempotency_test';

const calls = { create: 0, flaky: 0, project: 0 };
let releaseSlow: () => void = () => undefined;
let slowEntered: () => void = () => undefined;

@Controller('runs')
class RunsController {
  @Post()
  @RouteSchema({
    body: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' }, tags: { type: 'object', additionalProperties: { type: 'integer' } } },
    },
  })
  create(@Body() body: { name: string }): { runId: string; name: string; call: number } {
    calls.create += 1;
    return { runId: randomUUID(), name: body.name, call: calls.create };
  }

  @Post('accepted')
  @HttpCode(202)
  accept(): { accepted: string } {
    return { accepted: randomUUID() };
  }

  @Post('keys')
  @HttpCode(201)
  @SecretBearing()
  issueKey(): { keyId: string; key: string } {
    return { keyId: randomUUID(), key: `evk_secret_${randomUUID()}` };
  }

  @Post('slow')
  async slow(): Promise<{ done: string }> {
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
      slowEntered();
    });
    return { done: randomUUID() };
  }

  @Post('flaky')
  flaky(): { call: number } {
    calls.flaky += 1;
    if (calls.flaky === 1) throw new EdgeError('UNAVAILABLE', 'downstream is down');
    return { call: calls.flaky };
  }

  @Get()
  list(): { runs: [] } {
    return { runs: [] };
  }
}

/** A project-scoped route, as the gateway's are (`/v1/projects/:project/...`). */
@Controller('v1/projects/:project/runs')
class ProjectRunsController {
  @Post()
  @RouteSchema({
    params: { type: 'object', required: ['project'], properties: { project: { type: 'string' } } },
    body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  })
  create(
    @Param('project') project: string,
    @Body() body: { name: string },
  ): { runId: string; project: string; name: string } {
    calls.project += 1;
    return { runId: randomUUID(), project, name: body.name };
  }
}

@Module({ controllers: [RunsController, ProjectRunsController] })
class RunsModule {}

describe('HTTP edges: Idempotency-Key', () => {
  let pool: pg.Pool;
  let store: IdempotencyStore;
  let edges: EdgesApp;
  const tenant = `tenant-${randomUUID()}`;
  const as = (key: string, who = tenant): Record<string, string> => ({
    'idempotency-key': key,
    [TEST_TENANT_HEADER]: who,
  });

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl(), SCHEMA, [idempotencyMigration(SCHEMA), idempotencyScopeMigration(SCHEMA)]);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new IdempotencyStore(pool, { schema: SCHEMA });
    edges = await startEdgesApp(RunsModule, { rateLimit: false, idempotency: store });
  });
  afterAll(async () => {
    await edges.app.close();
    await pool.end();
  });

  it('replays the stored answer for the same key and body, without running the handler again', async () => {
    const key = randomUUID();
    const first = await postJson(`${edges.url}/runs`, { name: 'nightly', tags: { a: 1, b: 2 } }, as(key));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    const created = await first.json();
    const before = calls.create;

    // The same JSON, in another key order.
    const again = await postJson(`${edges.url}/runs`, { tags: { b: 2, a: 1 }, name: 'nightly' }, as(key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await again.json()).toEqual(created);
    expect(calls.create).toBe(before);
  });

  it('never stores a secret-bearing answer: a marker only, a replay refused with 409, no-store', async () => {
    const key = randomUUID();
    const first = await postJson(`${edges.url}/runs/keys`, {}, as(key));
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const { key: secret } = (await first.json()) as { key: string };
    const rows = await pool.query<{ row: string }>(
      `SELECT row_to_json(k)::text AS row FROM ${SCHEMA}.idempotency_keys k WHERE tenant_id = $1 AND key = $2`,
      [tenant, key],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]!.row).not.toContain(secret);
    expect(rows.rows[0]!.row).not.toContain('evk_secret_');

    const replay = await postJson(`${edges.url}/runs/keys`, {}, as(key));
    expect(replay.status).toBe(409);
    const problem = (await replay.json()) as { code: string; detail: string };
    expect(problem.code).toBe('IDEMPOTENCY_SECRET_NOT_REPLAYED');
    expect(JSON.stringify(problem)).not.toContain(secret);
  });

  it('replays the handler status too', async () => {
    const key = randomUUID();
    const first = await postJson(`${edges.url}/runs/accepted`, {}, as(key));
    const again = await postJson(`${edges.url}/runs/accepted`, {}, as(key));
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(await again.json()).toEqual(await first.json());
  });

  it('refuses the same key with another body (422) or on another route', async () => {
    const key = randomUUID();
    expect((await postJson(`${edges.url}/runs`, { name: 'a' }, as(key))).status).toBe(201);
    const reused = await postJson(`${edges.url}/runs`, { name: 'b' }, as(key));
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await postJson(`${edges.url}/runs/accepted`, { name: 'a' }, as(key))).status).toBe(422);
  });

  it('keeps keys apart per tenant', async () => {
    const key = randomUUID();
    const mine = await (await postJson(`${edges.url}/runs`, { name: 'x' }, as(key))).json();
    const theirs = await postJson(`${edges.url}/runs`, { name: 'x' }, as(key, `other-${randomUUID()}`));
    expect(theirs.headers.get('idempotency-replayed')).toBeNull();
    expect(await theirs.json()).not.toEqual(mine);
  });

  describe('per project', () => {
    const inProject = (project: string) => `${edges.url}/v1/projects/${project}/runs`;

    it('gives the same key in two projects of a tenant two answers, and replays each to its own project', async () => {
      const key = randomUUID();
      const before = calls.project;
      const alpha = await postJson(inProject('alpha'), { name: 'nightly' }, as(key));
      const beta = await postJson(inProject('beta'), { name: 'nightly' }, as(key));
      expect([alpha.status, beta.status]).toEqual([201, 201]);
      expect(beta.headers.get('idempotency-replayed')).toBeNull();
      const [first, second] = (await Promise.all([alpha.json(), beta.json()])) as { runId: string }[];
      expect(second).toMatchObject({ project: 'beta' });
      expect(second!.runId).not.toBe(first!.runId);
      expect(calls.project).toBe(before + 2);

      const alphaAgain = await postJson(inProject('alpha'), { name: 'nightly' }, as(key));
      const betaAgain = await postJson(inProject('beta'), { name: 'nightly' }, as(key));
      expect(alphaAgain.headers.get('idempotency-replayed')).toBe('true');
      expect(betaAgain.headers.get('idempotency-replayed')).toBe('true');
      expect(await alphaAgain.json()).toEqual(first);
      expect(await betaAgain.json()).toEqual(second);
      expect(calls.project).toBe(before + 2);
    });

    it('refuses another body under a key in its project (422), and says nothing of it to another project', async () => {
      const key = randomUUID();
      expect((await postJson(inProject('alpha'), { name: 'a' }, as(key))).status).toBe(201);
      const reused = await postJson(inProject('alpha'), { name: 'b' }, as(key));
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      const elsewhere = await postJson(inProject('beta'), { name: 'b' }, as(key));
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.headers.get('idempotency-replayed')).toBeNull();
    });

    it('keeps keys apart per tenant within one project id', async () => {
      const key = randomUUID();
      const mine = await (await postJson(inProject('alpha'), { name: 'x' }, as(key))).json();
      const theirs = await postJson(inProject('alpha'), { name: 'x' }, as(key, `other-${randomUUID()}`));
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotency-replayed')).toBeNull();
      expect(await theirs.json()).not.toEqual(mine);
    });

    it('keeps keys of tenant-level routes apart from those of project routes', async () => {
      const key = randomUUID();
      expect((await postJson(`${edges.url}/runs`, { name: 'x' }, as(key))).status).toBe(201);
      const project = await postJson(inProject('alpha'), { name: 'x' }, as(key));
      expect(project.status).toBe(201);
      expect(project.headers.get('idempotency-replayed')).toBeNull();
      const { rows } = await pool.query<{ scope: string }>(
        `SELECT scope FROM "${SCHEMA}".idempotency_keys WHERE tenant_id = $1 AND key = $2 ORDER BY scope`,
        [tenant, key],
      );
      expect(rows.map((row) => row.scope)).toEqual(['project:alpha', 'tenant']);
    });
  });

  it('answers a duplicate that arrives while the first is running with 409, then replays once it is done', async () => {
    const key = randomUUID();
    const entered = new Promise<void>((resolve) => {
      slowEntered = resolve;
    });
    const first = postJson(`${edges.url}/runs/slow`, {}, as(key));
    await entered;
    const duplicate = await postJson(`${edges.url}/runs/slow`, {}, as(key));
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect(await duplicate.json()).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    releaseSlow();
    const done = await first;
    expect(done.status).toBe(201);
    const replay = await postJson(`${edges.url}/runs/slow`, {}, as(key));
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(await replay.json()).toEqual(await done.json());
  });

  it('forgets the key when the handler fails, so a retry runs it', async () => {
    const key = randomUUID();
    const failed = await postJson(`${edges.url}/runs/flaky`, {}, as(key));
    expect(failed.status).toBe(503);
    const retried = await postJson(`${edges.url}/runs/flaky`, {}, as(key));
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotency-replayed')).toBeNull();
    expect(await retried.json()).toEqual({ call: 2 });
  });

  it('does not claim a key for an invalid body', async () => {
    const key = randomUUID();
    expect((await postJson(`${edges.url}/runs`, { name: 7 }, as(key))).status).toBe(400);
    expect((await postJson(`${edges.url}/runs`, { name: 'fixed' }, as(key))).status).toBe(201);
  });

  it('checks the key: at most 255 characters, one header, an authenticated caller', async () => {
    expect((await postJson(`${edges.url}/runs`, { name: 'k' }, as('k'.repeat(255)))).status).toBe(201);
    const long = await postJson(`${edges.url}/runs`, { name: 'k' }, as('k'.repeat(256)));
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ code: 'INVALID_INPUT' });
    const anonymous = await postJson(`${edges.url}/runs`, { name: 'k' }, { 'idempotency-key': randomUUID() });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('leaves requests without a key, and other methods, alone', async () => {
    const before = calls.create;
    await postJson(`${edges.url}/runs`, { name: 'n' }, { [TEST_TENANT_HEADER]: tenant });
    await postJson(`${edges.url}/runs`, { name: 'n' }, { [TEST_TENANT_HEADER]: tenant });
    expect(calls.create).toBe(before + 2);
    expect((await fetch(`${edges.url}/runs`, { headers: as('x'.repeat(300)) })).status).toBe(200);
  });

  describe('store', () => {
    const age = (key: string, ms: number) =>
      pool.query(
        `UPDATE "${SCHEMA}".idempotency_keys SET created_at = created_at - $2::float8 * interval '1 millisecond'
          WHERE key = $1`,
        [key, ms],
      );

    const scope = 'project:alpha' as const;

    it('lets a claim whose request died be taken over after its lease, once', async () => {
      const key = randomUUID();
      expect(await store.claim(tenant, scope, key, 'h1')).toEqual({ kind: 'claimed' });
      expect(await store.claim(tenant, scope, key, 'h1')).toEqual({ kind: 'in-progress' });
      await age(key, 61_000);
      const racers = await Promise.all([store.claim(tenant, scope, key, 'h1'), store.claim(tenant, scope, key, 'h1')]);
      expect(racers.map((claim) => claim.kind).sort()).toEqual(['claimed', 'in-progress']);
    });

    it('forgets completed keys after retention', async () => {
      const key = randomUUID();
      await store.claim(tenant, scope, key, 'h1');
      await store.complete(tenant, scope, key, { status: 201, body: { ok: true } });
      expect(await store.claim(tenant, scope, key, 'h1')).toEqual({
        kind: 'replay',
        response: { status: 201, body: { ok: true } },
      });
      await age(key, 25 * 60 * 60_000);
      expect(await store.claim(tenant, scope, key, 'h2')).toEqual({ kind: 'claimed' });
    });
  });

  describe('keys stored before they had a scope', () => {
    const LEGACY_SCHEMA = 'gateway_http_idempotency_legacy_test';
    let legacyEdges: EdgesApp;
    const keys = { alpha: randomUUID(), tenantLevel: randomUUID(), inProgress: randomUUID() };

    beforeAll(async () => {
      // The table as the first migration left it, with rows written then: one key per tenant.
      await pool.query(`DROP SCHEMA IF EXISTS "${LEGACY_SCHEMA}" CASCADE`);
      await runMigrations(testDatabaseUrl(), LEGACY_SCHEMA, [idempotencyMigration(LEGACY_SCHEMA)]);
      const row = (key: string, hash: string, status: number | null, body: unknown) =>
        pool.query(
          `INSERT INTO "${LEGACY_SCHEMA}".idempotency_keys (tenant_id, key, request_hash, status_code, response_body)
           VALUES ($1, $2, $3, $4, $5::jsonb)`,
          [tenant, key, hash, status, body === null ? null : JSON.stringify(body)],
        );
      await row(keys.alpha, requestHash('POST', '/v1/projects/alpha/runs', { name: 'x' }), 201, { runId: 'before' });
      await row(keys.tenantLevel, requestHash('POST', '/runs', { name: 'x' }), 201, { runId: 'tenant-before' });
      await row(keys.inProgress, requestHash('POST', '/v1/projects/alpha/runs', { name: 'x' }), null, null);
      const applied = await runMigrations(testDatabaseUrl(), LEGACY_SCHEMA, [
        idempotencyMigration(LEGACY_SCHEMA),
        idempotencyScopeMigration(LEGACY_SCHEMA),
      ]);
      expect(applied).toEqual(['ScopeIdempotencyKeys1765000000000']);
      legacyEdges = await startEdgesApp(RunsModule, {
        rateLimit: false,
        idempotency: new IdempotencyStore(pool, { schema: LEGACY_SCHEMA }),
      });
    });
    afterAll(async () => {
      await legacyEdges.app.close();
    });

    it('keeps them in a scope of their own, which no request claims', async () => {
      const { rows } = await pool.query<{ scope: string }>(
        `SELECT DISTINCT scope FROM "${LEGACY_SCHEMA}".idempotency_keys WHERE tenant_id = $1`,
        [tenant],
      );
      expect(rows).toEqual([{ scope: 'legacy' }]);
    });

    it('replays one to the identical request (its project is in the URL), and to no other project', async () => {
      const before = calls.project;
      const retry = await postJson(`${legacyEdges.url}/v1/projects/alpha/runs`, { name: 'x' }, as(keys.alpha));
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotency-replayed')).toBe('true');
      expect(await retry.json()).toEqual({ runId: 'before' });
      const again = await postJson(`${legacyEdges.url}/v1/projects/alpha/runs`, { name: 'x' }, as(keys.alpha));
      expect(await again.json()).toEqual({ runId: 'before' }); // now from the project's own row
      expect(calls.project).toBe(before);

      const beta = await postJson(`${legacyEdges.url}/v1/projects/beta/runs`, { name: 'x' }, as(keys.alpha));
      expect(beta.status).toBe(201);
      expect(beta.headers.get('idempotency-replayed')).toBeNull();
      expect(await beta.json()).toMatchObject({ project: 'beta' });
      expect(calls.project).toBe(before + 1);
      const { rows } = await pool.query<{ scope: string }>(
        `SELECT scope FROM "${LEGACY_SCHEMA}".idempotency_keys WHERE tenant_id = $1 AND key = $2 ORDER BY scope`,
        [tenant, keys.alpha],
      );
      expect(rows.map((row) => row.scope)).toEqual(['legacy', 'project:alpha', 'project:beta']);
    });

    it('replays one to a tenant-level route, and answers a request still in progress with 409', async () => {
      const tenantLevel = await postJson(`${legacyEdges.url}/runs`, { name: 'x' }, as(keys.tenantLevel));
      expect(tenantLevel.headers.get('idempotency-replayed')).toBe('true');
      expect(await tenantLevel.json()).toEqual({ runId: 'tenant-before' });
      const running = await postJson(`${legacyEdges.url}/v1/projects/alpha/runs`, { name: 'x' }, as(keys.inProgress));
      expect(running.status).toBe(409);
      expect(await running.json()).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
      const { rows } = await pool.query(
        `SELECT 1 FROM "${LEGACY_SCHEMA}".idempotency_keys WHERE tenant_id = $1 AND key = $2 AND scope <> 'legacy'`,
        [tenant, keys.inProgress],
      );
      expect(rows).toHaveLength(0); // the claim made while looking is given back
    });
  });
});
