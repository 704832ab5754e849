import { DataSource, type MigrationInterface } from 'typeorm';
import { CreateEventStore1764115200000 } from './event-store.migration.js';

export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764115200000];

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

export function migrateEventStore(databaseUrl: string): Promise<string[]> {
  return runMigrations(databaseUrl, 'eventstore', EVENT_STORE_MIGRATIONS);
}
