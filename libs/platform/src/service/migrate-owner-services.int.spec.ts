import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemasWithPendingMigrations } from '../event-store/postgres/migrate.js';
import { testDatabaseUrl } from '../testing/test-servers.js';
import type { MigrationClass } from './distributed-adapters.js';
import { migrateOwnerServices } from './run-owner-service.js';

/** A migration creating one table in `schema`, named as TypeORM wants (ending in a timestamp). */
function createTable(schema: string, table: string, timestamp: number): MigrationClass {
  return class implements MigrationInterface {
    name = `Create${table}${timestamp}`;
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE "${schema}".${table} (id int)`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
  };
}

/** A start migrates only what is pending: on a current database the check finds nothing and no migration runs. */
describe('migrating owner services', () => {
  const schema = `migrate_${randomUUID().slice(0, 8)}`;
  const first = [createTable(schema, 'a', 1764000000000), createTable(schema, 'b', 1764000000001)];
  const url = testDatabaseUrl();
  const pool = new pg.Pool({ connectionString: url, max: 1 });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('counts a schema without a migrations table as pending', async () => {
    expect(await schemasWithPendingMigrations(url, [[schema, first]])).toEqual([schema]);
  });

  it('migrates a new schema, then finds nothing pending and migrates nothing on the next start', async () => {
    expect(await migrateOwnerServices([{ migrations: [[schema, first]] }], url)).toEqual({
      migrated: [schema],
      applied: ['Createa1764000000000', 'Createb1764000000001'],
    });
    expect(await schemasWithPendingMigrations(url, [[schema, first]])).toEqual([]);
    expect(await migrateOwnerServices([{ migrations: [[schema, first]] }], url)).toEqual({ migrated: [], applied: [] });
  });

  it('applies only a migration added since, once for a schema two services share', async () => {
    const next = [...first, createTable(schema, 'c', 1764000000002)];
    const twoServices = [{ migrations: [[schema, next]] as const }, { migrations: [[schema, next]] as const }];
    expect(await migrateOwnerServices(twoServices, url)).toEqual({
      migrated: [schema],
      applied: ['Createc1764000000002'],
    });
    const tables = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".migrations`);
    expect(tables.rows).toEqual([{ n: 3 }]);
  });
});
