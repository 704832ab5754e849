import pg from 'pg';
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

/** A schema and the migrations it is built by, in order (each schema keeps its own `migrations` table). */
export type SchemaMigrations = readonly [schema: string, migrations: readonly (new () => MigrationInterface)[]];

/** The name TypeORM records for a migration: its `name`, else its class name. */
const migrationName = (migration: new () => MigrationInterface): string => new migration().name ?? migration.name;

/** Each schema with the names of its migrations, as they are recorded once applied. */
export function migrationNames(schemas: readonly SchemaMigrations[]): [schema: string, names: string[]][] {
  return schemas.map(([schema, migrations]) => [schema, migrations.map(migrationName)]);
}

/**
 * The schemas that have a migration not yet applied, in the order given, found with two queries on
 * one connection (which schemas have a migrations table, then every name recorded there) instead of
 * a TypeORM data source per schema: a start on a current database learns that nothing is pending
 * in milliseconds. A schema without a migrations table has all of its migrations pending.
 */
export async function schemasWithPendingMigrations(
  databaseUrl: string,
  schemas: readonly SchemaMigrations[],
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const names = [...new Set(schemas.map(([schema]) => schema))];
    const tables = await client.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables
        WHERE table_name = 'migrations' AND table_schema = ANY($1::text[])`,
      [names],
    );
    const recorded = tables.rows.length
      ? await client.query<{ schema: string; name: string }>(
          tables.rows
            .map(({ schema }, index) => `SELECT $${index + 1}::text AS schema, name FROM ${quoted(schema)}.migrations`)
            .join(' UNION ALL '),
          tables.rows.map(({ schema }) => schema),
        )
      : { rows: [] };
    const applied = new Set(recorded.rows.map(({ schema, name }) => `${schema}\u0000${name}`));
    const pending = schemas
      .filter(([schema, migrations]) => migrations.some((m) => !applied.has(`${schema}\u0000${migrationName(m)}`)))
      .map(([schema]) => schema);
    return [...new Set(pending)];
  } finally {
    await client.end();
  }
}

const quoted = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

export function migrateEventStore(databaseUrl: string): Promise<string[]> {
  return runMigrations(databaseUrl, 'eventstore', EVENT_STORE_MIGRATIONS);
}
