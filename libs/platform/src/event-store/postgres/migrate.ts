import { DataSource, type MigrationInterface } from 'typeorm';
import { AppendFunction1764979200000 } from './append-function.migration.js';
import { CreateEventStore1764115200000 } from './event-store.migration.js';
import { migrationName, migrationStatus, type SchemaMigrations } from './migration-status.js';

export type { SchemaMigrations } from './migration-status.js';

export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764115200000, AppendFunction1764979200000];

/**
 * Runs pending migrations of one schema explicitly (never on boot implicitly); each
 * schema keeps its own migrations table.
 */
export async function runMigrations(
  databaseUrl: string,
  schema: string,
  migrations: (new () => MigrationInterface)[],
): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Reverts the schema's applied migrations, newest applied first, `count` of them (default all), each
 * with its `down` in its own transaction. Answers the names reverted. A migration recorded in the
 * schema but unknown to `migrations` stops it with TypeORM's error naming it.
 */
export async function revertMigrations(
  databaseUrl: string,
  schema: string,
  migrations: (new () => MigrationInterface)[],
  count = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    logging: false,
  });
  await dataSource.initialize();
  const reverted: string[] = [];
  try {
    for (; reverted.length < count; ) {
      const [last] = await dataSource.query(`SELECT name FROM "${schema}".migrations ORDER BY id DESC LIMIT 1`);
      if (!last) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push((last as { name: string }).name);
    }
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}

export async function pendingMigrations(
  databaseUrl: string,
  schema: string,
  migrations: (new () => MigrationInterface)[],
): Promise<boolean> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema,
    migrations,
    migrationsTableName: 'migrations',
  });
  await dataSource.initialize();
  try {
    return await dataSource.showMigrations();
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The schemas that have a migration not yet applied, in the order given (see `migrationStatus`).
 * A schema without a migrations table has all of its migrations pending.
 */
export async function schemasWithPendingMigrations(
  databaseUrl: string,
  schemas: readonly SchemaMigrations[],
): Promise<string[]> {
  return (await migrationStatus(databaseUrl, schemas)).pending;
}

/** Each schema with the names of its migrations, as they are recorded once applied. */
export function migrationNames(schemas: readonly SchemaMigrations[]): [schema: string, names: string[]][] {
  return schemas.map(([schema, migrations]) => [schema, migrations.map(migrationName)]);
}

export function migrateEventStore(databaseUrl: string): Promise<string[]> {
  return runMigrations(databaseUrl, 'eventstore', EVENT_STORE_MIGRATIONS);
}
