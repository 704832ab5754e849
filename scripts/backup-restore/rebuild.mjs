// Rebuilds every read model that is a projection of the event store, from the events, then
// verifies each tenant's audit chain against the event store (the audit log is hash-chained: it
// is verified by replay, never rebuilt over). Run with the services stopped. Used by
// scripts/restore; on its own: DATABASE_URL=… node scripts/backup-restore/rebuild.mjs
import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { PostgresEventStore, rebuildProjection } from '@evalvault/platform';
import { AuditReplay } from '@evalvault/service-audit';
import { MEMORY_READ_MODEL_REBUILD } from '@evalvault/service-memory';
import { NOTIFIER_READ_MODEL_REBUILD } from '@evalvault/service-notifier';
import { REGISTRY_READ_MODEL_REBUILD } from '@evalvault/service-registry';
import { RUNS_READ_MODEL_REBUILD } from '@evalvault/service-runs';
import { databaseUrl, fail, log } from './common.mjs';

export const READ_MODEL_REBUILDS = [
  RUNS_READ_MODEL_REBUILD,
  REGISTRY_READ_MODEL_REBUILD,
  NOTIFIER_READ_MODEL_REBUILD,
  MEMORY_READ_MODEL_REBUILD,
];

export async function rebuildAndVerify(url) {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const dataSource = await new DataSource({ type: 'postgres', url, logging: false }).initialize();
  const store = new PostgresEventStore(pool, undefined, { listen: false });
  try {
    for (const rebuild of READ_MODEL_REBUILDS) {
      const applied = await rebuildProjection(rebuild, dataSource, store);
      log(`rebuild: ${rebuild.name}: ${applied} events applied`);
    }
    const { rows } = await pool.query('SELECT tenant_id FROM audit.chain_heads ORDER BY tenant_id');
    const failed = [];
    for (const { tenant_id: tenant } of rows) {
      const report = await new AuditReplay(pool, store).replay(tenant);
      log(
        `audit: tenant ${tenant}: ${report.status} (${report.counts.entries} entries, ${report.counts.events} events)`,
      );
      if (report.status !== 'verified') failed.push(`${tenant}: ${JSON.stringify(report.firstDifference)}`);
    }
    if (failed.length > 0) fail(`the audit chain does not verify against the event store: ${failed.join('; ')}`);
  } finally {
    await store.close();
    await dataSource.destroy();
    await pool.end();
  }
}

if (process.argv[1] === import.meta.filename) await rebuildAndVerify(databaseUrl());
