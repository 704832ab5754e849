import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { EvalVaultEvent, EventOfType, EventType } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import { migrateEventStore, PostgresEventStore, runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { ForgetSubject } from '../forget/forget-subject.js';
import { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from '../migrations/audit.migrations.js';
import { AuditProjection } from '../log/audit.projection.js';
import { sqlOfPg } from '../log/sql.js';
import { AuditQueries } from '../query/audit.queries.js';
import { DEFAULT_RETENTION_SHORTENING_DELAY_HOURS } from '../config.js';
import { AuditRetention } from '../retention/audit-retention.js';
import { SubjectKeys } from '../subjects/subject-keys.js';
import { AuditReplay } from '../verify/audit-replay.js';

/** The audit service's parts on the shared test database (migrated), for integration tests. */
export interface AuditHarness {
  pool: pg.Pool;
  store: PostgresEventStore;
  projection: AuditProjection;
  queries: AuditQueries;
  replay: AuditReplay;
  retention: AuditRetention;
  forget: ForgetSubject;
  /**
   * Appends events to the store (each on its own stream unless they share one) and records them in the
   * log, in order.
   */
  record(events: readonly EvalVaultEvent[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditHarnessOptions {
  /** The clock of retention changes and of the events the parts append; Date.now unless a test moves time itself. */
  now?: () => number;
  /** How long a retention shortening waits; the service's default (72 hours) unless given. */
  shorteningDelayMs?: number;
}

export async function openAuditHarness(options: AuditHarnessOptions = {}): Promise<AuditHarness> {
  await migrateEventStore(testDatabaseUrl());
  await runMigrations(testDatabaseUrl(), AUDIT_SCHEMA, AUDIT_MIGRATIONS);
  const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 6 });
  const dataSource = await new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
  const store = new PostgresEventStore(pool);
  const projection = new AuditProjection(dataSource);
  const sources = { now: options.now ?? Date.now, newId: randomUUID };
  return {
    pool,
    store,
    projection,
    queries: new AuditQueries(pool),
    replay: new AuditReplay(pool, store),
    retention: new AuditRetention(pool, {
      store,
      sources,
      shorteningDelayMs: options.shorteningDelayMs ?? DEFAULT_RETENTION_SHORTENING_DELAY_HOURS * 60 * 60 * 1000,
    }),
    forget: new ForgetSubject(store, new SubjectKeys(sqlOfPg(pool)), sources),
    async record(events) {
      for (const event of events) {
        await store.append(event.streamId, [event], 'any');
        await projection.apply(event);
      }
    },
    async close() {
      await store.close();
      await dataSource.destroy();
      await pool.end();
    },
  };
}

/** An event of a tenant by an actor, on a stream of its own, `minute` minutes into a fixed day. */
export function auditedEvent<T extends EventType>(
  type: T,
  payload: EventOfType<T>['payload'],
  tenantId: string,
  options: { subject?: string; minute?: number; occurredAt?: number } = {},
): EventOfType<T> {
  const event = testEvent(type, payload, { tenantId, streamId: `audit-test-${randomUUID()}` });
  return {
    ...event,
    actor: { subject: options.subject ?? 'alice@example.com', authMethod: 'oidc', apiKeyId: null },
    occurredAt: options.occurredAt ?? Date.UTC(2026, 10, 26, 9, options.minute ?? 0),
  };
}

/** A small mixed history of one tenant: a run with its dataset and prompt, a denied access and a revoked API key. */
export function sampleHistory(tenantId: string, subject = 'alice@example.com'): EvalVaultEvent[] {
  const runId = randomUUID();
  return [
    auditedEvent(
      'DatasetVersionRegistered',
      {
        datasetId: 'ds-qa',
        name: 'qa',
        version: 3,
        contentHash: 'a'.repeat(64),
        format: 'jsonl',
        caseCount: 10,
        contentRef: 'ref',
        description: null,
      },
      tenantId,
      { subject, minute: 1 },
    ),
    auditedEvent(
      'RunRequested',
      {
        ...sampleRunRequested().payload,
        runId,
        dataset: { id: 'ds-qa', name: 'qa', version: 3, contentHash: 'a'.repeat(64) },
        prompt: { id: 'pr-1', name: 'answer', version: 2, contentHash: 'b'.repeat(64) },
        inlineCases: null,
      },
      tenantId,
      { subject, minute: 2 },
    ),
    auditedEvent('RunStarted', { runId, totalCases: 10 }, tenantId, { subject: 'system:runs', minute: 3 }),
    auditedEvent(
      'AccessDenied',
      {
        method: 'GET',
        route: '/v1/projects/{project}/runs/{runId}',
        resourceType: 'run',
        resourceId: 'other-run',
        reason: 'cross-tenant',
        requiredRole: null,
        status: 404,
      },
      tenantId,
      { subject: 'mallory', minute: 4 },
    ),
    auditedEvent('ApiKeyRevoked', { apiKeyId: 'abcdef012345', reason: 'rotated' }, tenantId, { subject, minute: 5 }),
    auditedEvent(
      'RunCompleted',
      { runId, totalCases: 10, evaluatedCases: 10, failedCases: 0, aggregates: [], durationMs: 1000, usage: null },
      tenantId,
      { subject: 'system:runs', minute: 6 },
    ),
  ];
}
