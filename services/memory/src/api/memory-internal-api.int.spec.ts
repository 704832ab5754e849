import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { DataSource } from 'typeorm';
import { EventCodec } from '@evalvault/contracts';
import {
  HttpServiceClient,
  INTERNAL_IDENTITY_HEADER,
  InternalIdentitySigner,
  InternalIdentityVerifier,
  migrateContentStore,
  migrateEventStore,
  PostgresEventStore,
  registerInternalApi,
  runMigrations,
  ServiceClientError,
  type InternalIdentity,
} from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import type { MemoryOperations } from '@evalvault/service-apis';
import { composeMemoryParts } from '../memory.service.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from '../migrations/memory.migrations.js';
import { memoryOperationHandlers } from './memory-internal-api.js';
import { registerMemoryRoutes } from './memory-routes.js';

/**
 * The memory service's internal API over real HTTP on the real PostgreSQL, as the gateway calls
 * it (operations) and as operators do (resource routes): bad input is a clear 4xx problem and
 * nothing is stored; a foreign id is not found; roles are checked by the owner too.
 */
describe('memory internal API', () => {
  const secret = randomBytes(32);
  const signer = new InternalIdentitySigner({ secret });
  let fastify: FastifyInstance;
  let base: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let client: HttpServiceClient<MemoryOperations>;
  const tenantId = `tenant-${randomUUID()}`;
  const other = `tenant-${randomUUID()}`;
  const identity = (roles: string[], tenant = tenantId): InternalIdentity => ({
    tenantId: tenant,
    projectId: 'default',
    roles,
    actor: { subject: `${roles[0]}@example.com`, authMethod: 'oidc', apiKeyId: null },
  });
  const admin = identity(['admin']);
  const viewer = identity(['viewer']);

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), MEMORY_SCHEMA, MEMORY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    store = new PostgresEventStore(pool, new EventCodec());
    const logger = pino({ level: 'silent' });
    const parts = composeMemoryParts({ pool, dataSource, store, logger });
    const handlers = memoryOperationHandlers(parts.commands, parts.queries, randomUUID);
    const verifier = new InternalIdentityVerifier({ secret, serviceName: 'memory' });
    fastify = Fastify();
    registerInternalApi(fastify, { handlers, verifier, logger });
    registerMemoryRoutes(fastify, handlers, verifier, logger);
    base = await fastify.listen({ port: 0, host: '127.0.0.1' });
    client = new HttpServiceClient<MemoryOperations>({ serviceName: 'memory', baseUrl: base, signer });
  });

  afterAll(async () => {
    await fastify.close();
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  const refusal = (work: Promise<unknown>) =>
    work.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => {
        if (!(error instanceof ServiceClientError)) throw error;
        return { status: error.status, code: error.code, message: error.message };
      },
    );

  it('refuses malformed triples whole and stores none of them', async () => {
    const good = { subject: 'Halden password', predicate: 'expires every', object: '90 days' };
    for (const facts of [
      [good, { subject: '', predicate: 'is', object: 'x' }],
      [good, { subject: 'a', predicate: 'is' }],
      [good, { ...good, verificationScore: 1.5 }],
      [good, { ...good, colour: 'blue' }],
      [good, { ...good, kind: 'rumour' }],
      [],
    ])
      expect(await refusal(client.call('importMemory', { facts } as never, admin))).toMatchObject({
        status: 400,
        code: 'INVALID_INPUT',
      });
    expect(await refusal(client.call('importMemory', { facts: [good], extra: 1 } as never, admin))).toMatchObject({
      status: 400,
    });
    expect((await client.call('exportMemory', {}, admin)).facts).toEqual([]);

    expect(await client.call('importMemory', { facts: [good, good] }, admin)).toEqual({ proposed: 1, supported: 0 });
    const exported = await client.call('exportMemory', {}, admin);
    expect(exported.facts.map((f) => f.subject)).toEqual(['Halden password']);
  });

  it('refuses unknown policy fields and values out of range, and keeps the policy as it was', async () => {
    for (const body of [
      { colour: 'blue' },
      { decay: { factor: 0.9, speed: 2 } },
      { decay: { factor: 1.5 } },
      { search: { textWeight: -0.1 } },
      { formation: { factMinFaithfulness: 2 } },
      { maintenance: { intervalMinutes: 0 } },
      { inferredUsableBeforeVerification: 'yes' },
    ]) {
      const refused = await refusal(client.call('setMemoryPolicy', body as never, admin));
      expect(refused).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    }
    expect((await client.call('getMemoryPolicy', {}, admin)).version).toBe(0);
    expect(await refusal(client.call('setMemoryPolicy', { decay: { factor: 0.9 } }, viewer))).toMatchObject({
      status: 403,
    });
    const set = await client.call('setMemoryPolicy', { decay: { factor: 0.9 }, reason: 'slower' }, admin);
    expect(set).toMatchObject({ version: 1, policy: { decay: { factor: 0.9, periodDays: 30 } } });
  });

  it('refuses search filters outside their ranges, and unknown cursors', async () => {
    for (const query of [
      { minScore: 1.5 },
      { minScore: -0.1 },
      { kind: 'rumour' },
      { status: 'maybe' },
      { limit: 0 },
      { cursor: 'not-a-cursor' },
    ])
      expect(await refusal(client.call('searchFacts', query as never, viewer))).toMatchObject({ status: 400 });
    expect(await refusal(client.call('searchBehaviours', { minScore: 2 }, viewer))).toMatchObject({ status: 400 });
  });

  it('answers ids it does not have, or another tenant has, as not found; checks roles and reasons', async () => {
    const [fact] = (await client.call('searchFacts', { q: 'Halden' }, viewer)).items;
    expect(fact).toBeDefined();
    const foreign = identity(['admin'], other);
    expect(await refusal(client.call('getFact', { factId: fact!.factId }, foreign))).toMatchObject({ status: 404 });
    expect(await refusal(client.call('verifyFact', { factId: fact!.factId }, foreign))).toMatchObject({
      status: 404,
    });
    expect(await refusal(client.call('getFact', { factId: 'f'.repeat(32) }, viewer))).toMatchObject({ status: 404 });
    expect(await refusal(client.call('getFact', { factId: "x' OR 1=1" }, viewer))).toMatchObject({ status: 404 });
    expect(await refusal(client.call('getBehaviour', { behaviourId: 'nope' }, viewer))).toMatchObject({
      status: 404,
    });
    expect(await refusal(client.call('verifyFact', { factId: fact!.factId }, viewer))).toMatchObject({ status: 403 });
    expect(
      await refusal(client.call('rejectFact', { factId: fact!.factId } as never, identity(['approver']))),
    ).toMatchObject({ status: 400 });
    expect(
      await refusal(client.call('requestDeletion', { target: 'everything', value: 'x' } as never, admin)),
    ).toMatchObject({ status: 400 });
    expect(await refusal(client.call('requestDeletion', { target: 'subject', value: '' }, admin))).toMatchObject({
      status: 400,
    });
    expect(await refusal(client.call('runInsights', { runId: randomUUID() }, viewer))).toMatchObject({ status: 404 });

    const verified = await client.call(
      'verifyFact',
      { factId: fact!.factId, reason: 'checked' },
      identity(['approver']),
    );
    expect(verified).toMatchObject({ status: 'verified', verificationCount: 1, verificationScore: 1 });
    expect(await client.call('getFact', { factId: fact!.factId }, foreign).catch(() => null)).toBeNull();
  });

  it('serves the resource routes under /internal/projects/:p/memory with problem+json errors', async () => {
    const call = async (method: string, path: string, who: InternalIdentity, body?: unknown) => {
      const response = await fetch(`${base}/internal/projects/default/memory${path}`, {
        method,
        headers: {
          [INTERNAL_IDENTITY_HEADER]: await signer.sign(who, 'memory'),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as { code?: string; items?: unknown[]; facts?: unknown[] };
      return { status: response.status, type: response.headers.get('content-type'), body: json };
    };
    const bad = await call('GET', '/facts?minScore=2', viewer);
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
    expect(bad.type).toContain('application/problem+json');
    expect((await call('GET', '/facts?q=Halden&minScore=0.5', viewer)).body.items).toHaveLength(1);
    expect((await call('PUT', '/policy', admin, { decay: { speed: 1 } })).status).toBe(400);
    const maintenance = await call('POST', '/maintenance', admin);
    expect(maintenance).toMatchObject({ status: 200, body: { decayed: 0, forgotten: 0, policyVersion: 1 } });
    expect((await call('POST', '/maintenance', viewer)).status).toBe(403);
    const deletion = await call('POST', '/deletions', admin, { target: 'subject', value: 'halden PASSWORD.' });
    expect(deletion).toMatchObject({ status: 202, body: { forgotten: 1 } });
    expect((await call('GET', '/export', viewer)).body.facts).toEqual([]);
    // Another project's path is not found, whatever the identity may do in its own.
    const response = await fetch(`${base}/internal/projects/elsewhere/memory/facts`, {
      headers: { [INTERNAL_IDENTITY_HEADER]: await signer.sign(admin, 'memory') },
    });
    expect(response.status).toBe(404);
    const unsigned = await fetch(`${base}/internal/projects/default/memory/facts`);
    expect(unsigned.status).toBe(401);
  });

  it('deletes by source document: what it brought goes, the rest stays', async () => {
    const who = identity(['admin'], `tenant-${randomUUID()}`);
    const handbook = { kind: 'document' as const, id: 'handbook.pdf', runId: null };
    const imported = await client.call(
      'importMemory',
      {
        facts: [
          { subject: 'Guest Wi-Fi', predicate: 'requires', object: 'a daily code', sources: [handbook] },
          { subject: 'Printers', predicate: 'are', object: 'on every floor' },
        ],
      },
      who,
    );
    expect(imported).toEqual({ proposed: 2, supported: 0 });
    const deletion = await client.call('requestDeletion', { target: 'document', value: 'handbook.pdf' }, who);
    expect(deletion.forgotten).toBe(1);
    const left = (await client.call('exportMemory', {}, who)).facts.map((fact) => fact.subject);
    expect(left).toEqual(['Printers']);
  });

  it('lists the deletion requests to admins, newest first, never with the value or its hash', async () => {
    const tenant = `tenant-${randomUUID()}`;
    const who = identity(['admin'], tenant);
    await client.call(
      'importMemory',
      { facts: [{ subject: 'Door codes', predicate: 'change', object: 'monthly' }] },
      who,
    );
    const first = await client.call('requestDeletion', { target: 'subject', value: 'door codes' }, who);
    const second = await client.call('requestDeletion', { target: 'document', value: 'nothing.pdf' }, who);
    const page = await client.call('listDeletions', { limit: 1 }, who);
    expect(page.items).toEqual([
      {
        requestId: second.requestId,
        target: 'document',
        forgotten: 0,
        requestedBy: 'admin@example.com',
        requestedAt: expect.any(String),
      },
    ]);
    const next = await client.call('listDeletions', { cursor: page.nextCursor! }, who);
    expect(next).toEqual({
      items: [expect.objectContaining({ requestId: first.requestId, forgotten: 1 })],
      nextCursor: null,
    });
    expect(JSON.stringify([page, next])).not.toMatch(/door codes|nothing\.pdf/i);
    expect(await refusal(client.call('listDeletions', {}, identity(['approver'], tenant)))).toMatchObject({
      status: 403,
    });
    expect((await client.call('listDeletions', {}, identity(['admin'], `tenant-${randomUUID()}`))).items).toEqual([]);
  });

  it("filters usable facts by the project's policy, in the database as the domain rule says", async () => {
    const who = identity(['admin'], `tenant-${randomUUID()}`);
    const facts = [
      { subject: 'VPN', predicate: 'uses', object: 'port 443', kind: 'verified' as const },
      { subject: 'Laptops', predicate: 'are', object: 'encrypted' },
      { subject: 'Badges', predicate: 'expire after', object: 'one year' },
    ];
    expect(await client.call('importMemory', { facts }, who)).toEqual({ proposed: 3, supported: 0 });
    const all = (await client.call('searchFacts', {}, who)).items;
    const badges = all.find((fact) => fact.subject === 'Badges')!;
    await client.call('rejectFact', { factId: badges.factId, reason: 'wrong' }, who);
    const usable = async (flag: boolean) =>
      (await client.call('searchFacts', { usable: flag }, who)).items.map((fact) => [fact.subject, fact.usable]);

    expect(await usable(true)).toEqual([['VPN', true]]);
    expect((await usable(false)).sort()).toEqual([
      ['Badges', false],
      ['Laptops', false],
    ]);
    await client.call('setMemoryPolicy', { inferredUsableBeforeVerification: true }, who);
    expect((await usable(true)).sort()).toEqual([
      ['Laptops', true],
      ['VPN', true],
    ]);
    expect(await usable(false)).toEqual([['Badges', false]]);
    expect(await refusal(client.call('searchFacts', { usable: 'yes' } as never, who))).toMatchObject({ status: 400 });
  });
});
