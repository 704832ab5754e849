import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { EvalVaultEvent } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { migrateEventStore, PostgresEventStore, runMigrations, START } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from '../migrations/audit.migrations.js';
import { appendEntry } from '../log/audit-log.writer.js';
import { buildEntry } from '../log/entry-builder.js';
import { sqlOfPg } from '../log/sql.js';
import { LiveSealer } from '../subjects/sealers.js';
import { SubjectKeys } from '../subjects/subject-keys.js';
import { AuditReplay } from '../verify/audit-replay.js';

/**
 * `npm run bench:audit`: how fast `POST /v1/audit/replay` rebuilds and verifies a tenant's log,
 * in events per second of the event store it reads, against a bare `readAll` of the same
 * store (pages of 1,000, decoded) measured in the same run, in the order A B B A. Fixed event
 * counts; prints figures, never fails on a time.
 */
const EVENTS = 20_000;
const PER_APPEND = 100;
const PAGE = 1_000;
const SUBJECTS = 50;
/** The flat-cost check: a tenant this size replayed before and after FOREIGN_FACTOR times as many foreign events. */
const SMALL_TENANT = 2_000;
const FOREIGN_FACTOR = 10;

class BenchError extends Error {}
const progress = (message: string): void => console.error(`[bench:audit] ${message}`);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** A tenant's history: runs started by a few dozen people, every tenth request refused. */
function history(tenantId: string, events = EVENTS): EvalVaultEvent[][] {
  return Array.from({ length: events / PER_APPEND }, (_, stream) => {
    const streamId = `audit-bench-${randomUUID()}`;
    return Array.from({ length: PER_APPEND }, (_, index) => {
      const n = stream * PER_APPEND + index;
      const event =
        n % 10 === 9
          ? testEvent(
              'AccessDenied',
              {
                method: 'GET',
                route: '/v1/projects/{project}/runs/{runId}',
                resourceType: 'run',
                resourceId: `r-${n}`,
                reason: 'cross-tenant',
                requiredRole: null,
                status: 404,
              },
              { tenantId, streamId },
            )
          : testEvent('RunStarted', { runId: `r-${n}`, totalCases: n }, { tenantId, streamId });
      return {
        ...event,
        actor: { subject: `user-${n % SUBJECTS}@example.com`, authMethod: 'oidc', apiKeyId: null },
        occurredAt: Date.UTC(2026, 10, 1) + n * 1000,
      };
    });
  });
}

/** The log as the consumer writes it (same builder, same chain), one transaction per append: set-up, not timed. */
async function seed(pool: pg.Pool, store: PostgresEventStore, tenantId: string, count = EVENTS): Promise<void> {
  for (const events of history(tenantId, count)) {
    await store.append(events[0]!.streamId, events, 'no_stream');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const sql = sqlOfPg(client);
      const sealer = new LiveSealer(new SubjectKeys(sql));
      for (const event of events) await appendEntry(sql, await buildEntry(event, sealer));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The whole log, each event decoded (readAll decodes on first use; the replay uses every event). */
async function readEverything(store: PostgresEventStore, tenantId?: string): Promise<number> {
  let count = 0;
  for (let from = START; ; ) {
    const page = await store.readAll(from, { maxCount: PAGE, ...(tenantId ? { filter: { tenantId } } : {}) });
    for (const recorded of page) if (recorded.event.eventId) count += 1;
    if (page.length < PAGE) return count;
    from = page.at(-1)!.position;
  }
}

/** Mean of two replays of the tenant (ms), after one untimed warm-up that also checks it verifies. */
async function replayMs(replay: AuditReplay, tenantId: string, entries: number): Promise<number> {
  const check = await replay.replay(tenantId);
  if (check.status !== 'verified' || check.counts.entries !== entries) {
    throw new BenchError(`the seeded log does not verify: ${JSON.stringify(check.firstDifference ?? check.counts)}`);
  }
  return ((await timed(() => replay.replay(tenantId))) + (await timed(() => replay.replay(tenantId)))) / 2;
}

/**
 * Cost follows the tenant: a small tenant's replay timed, then again after other tenants' history
 * ten times its size has been appended to the store. The ratio stays near 1 when the replay reads
 * only its own events (the tenant index).
 */
async function tenantFlat(pool: pg.Pool, store: PostgresEventStore): Promise<void> {
  const tenantId = `tenant-bench-small-${randomUUID()}`;
  progress(`flat-cost check: seeding ${SMALL_TENANT} events for ${tenantId}`);
  await seed(pool, store, tenantId, SMALL_TENANT);
  const replay = new AuditReplay(pool, store, PAGE);
  try {
    const sizeBefore = await readEverything(store);
    const before = await replayMs(replay, tenantId, SMALL_TENANT);
    progress(`appending ${SMALL_TENANT * FOREIGN_FACTOR} events of another tenant`);
    for (const events of history(`tenant-bench-foreign-${randomUUID()}`, SMALL_TENANT * FOREIGN_FACTOR)) {
      await store.append(events[0]!.streamId, events, 'no_stream');
    }
    const sizeAfter = await readEverything(store);
    const after = await replayMs(replay, tenantId, SMALL_TENANT);
    console.log(
      [
        `flat cost: replay of a ${SMALL_TENANT.toLocaleString('en-US')}-entry tenant before and after ` +
          `${(SMALL_TENANT * FOREIGN_FACTOR).toLocaleString('en-US')} foreign events`,
        `${'store events'.padStart(14)}${'replay ms'.padStart(12)}`,
        `${sizeBefore.toLocaleString('en-US').padStart(14)}${before.toFixed(1).padStart(12)}`,
        `${sizeAfter.toLocaleString('en-US').padStart(14)}${after.toFixed(1).padStart(12)}`,
        `ratio (after/before): ${(after / before).toFixed(2)}`,
      ].join('\n'),
    );
    console.log(
      `BENCH_JSON ${JSON.stringify({
        path: 'audit_replay_tenant_flat',
        tenant_entries: SMALL_TENANT,
        store_events_before: sizeBefore,
        store_events_after: sizeAfter,
        replay_ms_before: Number(before.toFixed(1)),
        replay_ms_after: Number(after.toFixed(1)),
        ratio: Number((after / before).toFixed(3)),
      })}`,
    );
  } finally {
    await deleteAuditRows(pool, tenantId);
  }
}

async function deleteAuditRows(pool: pg.Pool, tenantId: string): Promise<void> {
  for (const table of ['entries', 'chain_heads', 'subject_keys', 'tenant_keys']) {
    await pool.query(`DELETE FROM audit.${table} WHERE tenant_id = $1`, [tenantId]).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  progress('ensuring PostgreSQL (infra/postgres/setup.sh)');
  execFileSync('bash', ['infra/postgres/setup.sh'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = testDatabaseUrl();
  await migrateEventStore(url);
  await runMigrations(url, AUDIT_SCHEMA, AUDIT_MIGRATIONS);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = new PostgresEventStore(pool);
  const tenantId = `tenant-bench-${randomUUID()}`;
  try {
    progress(`seeding ${EVENTS} events and their audit entries for ${tenantId}`);
    await seed(pool, store, tenantId);
    const replay = new AuditReplay(pool, store, PAGE);
    const storeEvents = await readEverything(store); // warm-up, and the count both sides read
    const check = await replay.replay(tenantId);
    if (check.status !== 'verified' || check.counts.entries !== EVENTS) {
      throw new BenchError(`the seeded log does not verify: ${JSON.stringify(check.firstDifference ?? check.counts)}`);
    }
    progress(`timing readAll and replay over ${storeEvents} events (A B B A)`);
    const t1 = await timed(() => readEverything(store, tenantId));
    const a1 = await timed(() => readEverything(store));
    const b1 = await timed(() => replay.replay(tenantId));
    const b2 = await timed(() => replay.replay(tenantId));
    const a2 = await timed(() => readEverything(store));
    const t2 = await timed(() => readEverything(store, tenantId));
    // The replay against a read of just what it reads: its own cost per entry, whatever the store holds.
    const ownReadMs = (t1 + t2) / 2;
    console.log(
      `replay ${((b1 + b2) / 2).toFixed(0)} ms, readAll of the tenant's ${EVENTS} events ${ownReadMs.toFixed(0)} ms` +
        ` (ratio per tenant event ${(ownReadMs / ((b1 + b2) / 2)).toFixed(2)})`,
    );
    const rate = (ms: number): number => (storeEvents * 1000) / ms;
    const [baseline, replayed] = [rate((a1 + a2) / 2), rate((b1 + b2) / 2)];
    console.log(
      [
        `bench:audit  (node ${process.version}, ${availableParallelism()} cores; ` +
          `the store held ${storeEvents.toLocaleString('en-US')} events, ` +
          `${EVENTS.toLocaleString('en-US')} of them the bench tenant's)`,
        `${'path'.padEnd(44)}${'events'.padStart(9)}${'ev/s'.padStart(12)}${'readAll ev/s'.padStart(15)}` +
          '   ratio (replay/readAll)',
        `${'replay: rebuild, compare, verify the chain'.padEnd(44)}${String(storeEvents).padStart(9)}` +
          `${Math.round(replayed).toLocaleString('en-US').padStart(12)}` +
          `${Math.round(baseline).toLocaleString('en-US').padStart(15)}   ` +
          `${(replayed / baseline).toFixed(2).padStart(8)}`,
      ].join('\n'),
    );
    console.log(
      `BENCH_JSON ${JSON.stringify({
        path: 'audit_replay',
        events: storeEvents,
        tenant_entries: EVENTS,
        replay_ev_per_s: Math.round(replayed),
        readall_ev_per_s: Math.round(baseline),
        ratio: Number((replayed / baseline).toFixed(3)),
        replay_ms: Number(((b1 + b2) / 2).toFixed(1)),
        readall_ms: Number(((a1 + a2) / 2).toFixed(1)),
      })}`,
    );
    await tenantFlat(pool, store);
  } finally {
    await deleteAuditRows(pool, tenantId);
    await store.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(
    `bench:audit failed: ${error instanceof BenchError ? error.message : ((error as Error).stack ?? String(error))}`,
  );
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 10_000).unref();
});
