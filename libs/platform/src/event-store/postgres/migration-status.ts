import pg from 'pg';
import type { MigrationInterface } from 'typeorm';

/** A schema and the migrations it is built by, in order (each schema keeps its own `migrations` table). */
export type SchemaMigrations = readonly [schema: string, migrations: readonly (new () => MigrationInterface)[]];

/** The name TypeORM records for a migration: its `name`, else its class name. */
export const migrationName = (migration: new () => MigrationInterface): string =>
  new migration().name ?? migration.name;

/** What a database holds compared with the migrations this code knows. */
export interface MigrationStatus {
  /** Schemas with a migration of this code not yet applied, in the order given. */
  pending: string[];
  /**
   * Migrations recorded in a schema that this code does not know: the database was migrated by a
   * newer release (or by another branch). Code must not run on a schema it does not know.
   */
  unknown: { schema: string; names: string[] }[];
}

/**
 * The migration status of the given schemas, from two queries on one connection (which schemas
 * have a migrations table, then every name recorded there) instead of a TypeORM data source per
 * schema: a start on a current database learns it in milliseconds. A schema without a migrations
 * table has all of its migrations pending. A schema listed twice (one shared by several services,
 * such as the content store) knows the union of its lists.
 */
export async function migrationStatus(
  databaseUrl: string,
  schemas: readonly SchemaMigrations[],
): Promise<MigrationStatus> {
  const applied = await appliedMigrationNames(databaseUrl, [...new Set(schemas.map(([schema]) => schema))]);
  const known = new Map<string, Set<string>>();
  for (const [schema, migrations] of schemas) {
    const names = known.get(schema) ?? new Set<string>();
    migrations.forEach((migration) => names.add(migrationName(migration)));
    known.set(schema, names);
  }
  const pending = schemas
    .filter(([schema, migrations]) => migrations.some((m) => !applied.get(schema)?.has(migrationName(m))))
    .map(([schema]) => schema);
  const unknown = [...applied]
    .map(([schema, names]) => ({ schema, names: [...names].filter((name) => !known.get(schema)?.has(name)) }))
    .filter(({ names }) => names.length > 0);
  return { pending: [...new Set(pending)], unknown };
}

/** The refusal to run on a schema newer than the code, naming what it does not know. */
export function unknownMigrationsMessage(unknown: MigrationStatus['unknown']): string {
  const listed = unknown.map(({ schema, names }) => `schema ${schema}: ${names.join(', ')}`).join('; ');
  return (
    `the database was migrated by a newer release: this version does not know the migrations ${listed}. ` +
    'Run the release that applied them (or a newer one), or restore a backup taken before that upgrade ' +
    '(docs/operations.md, "Upgrade (migrations)")'
  );
}

/** Every migration name recorded in each of the given schemas that has a migrations table. */
async function appliedMigrationNames(databaseUrl: string, schemas: string[]): Promise<Map<string, Set<string>>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables
        WHERE table_name = 'migrations' AND table_schema = ANY($1::text[])`,
      [schemas],
    );
    const recorded = tables.rows.length
      ? await client.query<{ schema: string; name: string }>(
          tables.rows
            .map(({ schema }, index) => `SELECT $${index + 1}::text AS schema, name FROM ${quoted(schema)}.migrations`)
            .join(' UNION ALL '),
          tables.rows.map(({ schema }) => schema),
        )
      : { rows: [] };
    const applied = new Map<string, Set<string>>(tables.rows.map(({ schema }) => [schema, new Set<string>()]));
    for (const { schema, name } of recorded.rows) applied.get(schema)?.add(name);
    return applied;
  } finally {
    await client.end();
  }
}

const quoted = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;
