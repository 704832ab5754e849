import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventCodec, type EvalVaultEvent, type FactProposed } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { migrateContentStore, migrateEventStore, PostgresEventStore, runMigrations } from '@evalvault/platform';
import { pino } from 'pino';
import { composeMemoryParts } from '../memory.service.js';
import { factStreamId } from '../domain/index.js';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { DEFAULT_MEMORY_POLICY } from '../domain/index.js';
import { MEMORY_MIGRATIONS, MEMORY_SCHEMA } from '../migrations/memory.migrations.js';
import { MemoryProjection } from '../projection/memory.projection.js';
import { MemoryQueries } from '../projection/memory.queries.js';
import { rebuildReadModel } from '../projection/memory-rebuild.js';
import { ContentKeys } from './content-keys.js';

const id32 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/**
 * Crypto-shredding on the real PostgreSQL: a fact's text travels sealed under its own key; once
 * forgotten, its key is destroyed, its old FactProposed no longer opens, and a rebuild of the read
 * model from the event store does not bring it back (the fact that was not forgotten comes back).
 */
describe('memory content keys (crypto-shredding)', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let keys: ContentKeys;
  let projection: MemoryProjection;
  let queries: MemoryQueries;

  beforeAll(async () => {
    await migrateEventStore(testDatabaseUrl());
    await migrateContentStore(testDatabaseUrl());
    await runMigrations(testDatabaseUrl(), MEMORY_SCHEMA, MEMORY_MIGRATIONS);
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
    store = new PostgresEventStore(pool, new EventCodec());
    dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
    keys = new ContentKeys(dataSource);
    projection = new MemoryProjection(dataSource, keys);
    queries = new MemoryQueries(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await store.close();
    await pool.end();
  });

  async function propose(tenantId: string, subject: string, object: string): Promise<FactProposed> {
    const factId = id32(`${tenantId}\0default\0${subject}\0is\0${object}`);
    const sealed = await keys.seal(tenantId, factId, { subject, predicate: 'is', object });
    const event = testEvent(
      'FactProposed',
      {
        factId,
        keyId: factId,
        sealed: sealed!,
        domain: 'geography',
        language: 'en',
        kind: 'inferred',
        verificationScore: 0.9,
        sources: [{ kind: 'run', id: 'run-1', runId: null }],
      },
      { tenantId, projectId: 'default', streamId: `memoryfact-${factId}` },
    );
    await store.append(event.streamId, [event], 'no_stream');
    await projection.applyAll([event]);
    return event;
  }

  it('seals the text, forgets it for good, and a replay does not bring it back', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const scope = { tenantId, projectId: 'default' };
    const secret = await propose(tenantId, 'Zorblax', 'a secret moon base');
    const kept = await propose(tenantId, 'Paris', 'the capital of France');
    expect(Buffer.from(secret.payload.sealed).toString('utf8')).not.toContain('Zorblax');

    const found = await queries.searchFacts(scope, { q: 'zorblax moon' }, DEFAULT_MEMORY_POLICY);
    expect(found.items.map((fact) => fact.subject)).toEqual(['Zorblax']);
    expect(found.meta.vector).toBe(false);

    const forgotten = testEvent(
      'FactForgotten',
      { factId: secret.payload.factId, reason: 'deletion_request', requestId: randomUUID() },
      { tenantId, projectId: 'default', streamId: secret.streamId },
    );
    await store.append(forgotten.streamId, [forgotten], 0n);
    await projection.applyAll([forgotten]);

    // The old event is still in the store, but its text no longer opens.
    const [stored] = await store.readStream(secret.streamId);
    const old = stored!.event as FactProposed;
    expect(await keys.key(tenantId, old.payload.keyId, false)).toEqual({ state: 'destroyed' });
    expect(await keys.open(tenantId, old.payload.keyId, old.payload.sealed)).toBeNull();
    // Sealing again under the same key id is refused: forgotten content gets no fresh key.
    expect(await keys.seal(tenantId, old.payload.keyId, { subject: 'Zorblax' })).toBeNull();
    await expect(queries.getFact(scope, secret.payload.factId)).rejects.toThrow(/not found/);

    // A rebuild of the tenant's read model from the event store.
    const applied = await rebuildReadModel(dataSource, store, projection, tenantId);
    expect(applied).toBeGreaterThanOrEqual(2);
    const all = await queries.searchFacts(scope, {}, DEFAULT_MEMORY_POLICY);
    expect(all.items.map((fact) => fact.subject)).toEqual(['Paris']);
    expect((await queries.getFact(scope, kept.payload.factId)).object).toBe('the capital of France');
    const none = await queries.searchFacts(scope, { q: 'zorblax' }, DEFAULT_MEMORY_POLICY);
    expect(none.items).toEqual([]);
  });

  it('opens content only in its own tenant and key', async () => {
    const tenantA = `tenant-${randomUUID()}`;
    const tenantB = `tenant-${randomUUID()}`;
    const sealed = (await keys.seal(tenantA, 'k1', { subject: 'x' }))!;
    expect(await keys.open(tenantA, 'k1', sealed)).toEqual({ subject: 'x' });
    await keys.seal(tenantB, 'k1', { subject: 'y' });
    expect(await keys.open(tenantB, 'k1', sealed)).toBeNull();
    expect(await keys.open(tenantA, 'k2', sealed)).toBeNull();
  });

  it('ignores a duplicate delivery of the same event', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const event: EvalVaultEvent = await propose(tenantId, 'Rome', 'the capital of Italy');
    expect(await projection.apply(event)).toBe(false);
  });

  it('deletes through the write side: the old FactProposed stays unreadable, a replay keeps it gone', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const scope = { tenantId, projectId: 'default' };
    const parts = composeMemoryParts({ pool, dataSource, store, logger: pino({ level: 'silent' }) });
    const context = {
      ...scope,
      actor: { subject: 'admin@example.com', authMethod: 'oidc', apiKeyId: null },
      correlationId: randomUUID(),
      causationId: null,
    };
    const proposal = (subject: string, object: string) => ({
      subject,
      predicate: 'is',
      object,
      domain: 'geo',
      language: 'en',
      kind: 'inferred' as const,
      score: 0.8,
      sources: [{ kind: 'document' as const, id: 'doc-1', runId: null }],
    });
    const [secret] = (await parts.commands.propose(proposal('Secret Lab', 'under the lake'), context))!;
    await parts.commands.propose(proposal('Lisbon', 'the capital of Portugal'), context);
    const factId = (secret!.payload as { factId: string }).factId;

    const result = await parts.commands.requestDeletion({ target: 'subject', value: '  secret   LAB.' }, context);
    expect(result.forgotten).toBe(1);
    const stored = (await store.readStream(factStreamId(factId))).map((r) => r.event);
    expect(stored.map((e) => e.type)).toEqual(['FactProposed', 'FactForgotten']);
    const old = stored[0] as FactProposed;
    expect(await parts.keys.open(tenantId, old.payload.keyId, old.payload.sealed)).toBeNull();
    // Proposed again (the same triple from a later run): not learned again, its key stays destroyed.
    expect(await parts.commands.propose(proposal('Secret Lab', 'under the lake'), context)).toBeNull();

    await rebuildReadModel(dataSource, store, parts.projection, tenantId);
    const all = await parts.queries.searchFacts(scope, {}, DEFAULT_MEMORY_POLICY);
    expect(all.items.map((fact) => fact.subject)).toEqual(['Lisbon']);
    const request: { entries: unknown[]; target_hash: string }[] = await dataSource.query(
      `SELECT entries, target_hash FROM memory.deletion_requests WHERE request_id = $1`,
      [result.requestId],
    );
    expect(request[0]!.entries).toEqual([{ kind: 'fact', id: factId }]);
    expect(JSON.stringify(request)).not.toContain('Secret');
  });
});
