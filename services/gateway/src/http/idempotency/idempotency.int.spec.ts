import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import pg from 'pg';
import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { EdgeError } from '../problem-codes.js';
import { postJson, startEdgesApp, TEST_TENANT_HEADER, type EdgesApp } from '../testing/edges-app.js';
import { idempotencyMigration } from './idempotency.migration.js';
import { IdempotencyStore } from './idempotency.store.js';
import { SecretBearing } from './secret-bearing.js';

// A schema of its own, so a CI run using the real `gateway` schema at the same time is not disturbed.
const SCHEMA = 'gateway_http_idempotency_test';

const calls = { create: 0, flaky: 0 };
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

@Module({ controllers: [RunsController] })
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
    await runMigrations(testDatabaseUrl(), SCHEMA, [idempotencyMigration(SCHEMA)]);
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

    const again = await postJson(`${edges.url}/runs`, { tags: { b: 2, a: 1 }, name: 'nightly' }, as(key)); // same JSON, other key order
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
        `UPDATE "${SCHEMA}".idempotency_keys SET created_at = created_at - $2::float8 * interval '1 millisecond' WHERE key = $1`,
        [key, ms],
      );

    it('lets a claim whose request died be taken over after its lease, once', async () => {
      const key = randomUUID();
      expect(await store.claim(tenant, key, 'h1')).toEqual({ kind: 'claimed' });
      expect(await store.claim(tenant, key, 'h1')).toEqual({ kind: 'in-progress' });
      await age(key, 61_000);
      const racers = await Promise.all([store.claim(tenant, key, 'h1'), store.claim(tenant, key, 'h1')]);
      expect(racers.map((claim) => claim.kind).sort()).toEqual(['claimed', 'in-progress']);
    });

    it('forgets completed keys after retention', async () => {
      const key = randomUUID();
      await store.claim(tenant, key, 'h1');
      await store.complete(tenant, key, { status: 201, body: { ok: true } });
      expect(await store.claim(tenant, key, 'h1')).toEqual({
        kind: 'replay',
        response: { status: 201, body: { ok: true } },
      });
      await age(key, 25 * 60 * 60_000);
      expect(await store.claim(tenant, key, 'h2')).toEqual({ kind: 'claimed' });
    });
  });
});
