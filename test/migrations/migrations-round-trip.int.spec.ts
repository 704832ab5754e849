import { migrateOwnerService, ownerServiceSchemas, revertMigrations } from '@evalvault/platform';
import { createScratchDatabase, schemaDump, schemaObjects, type ScratchDatabase } from '../support/scratch-database.js';
import { distinctSchemas, SERVICES } from './service-migrations.js';

/**
 * Every service's migrations, on a fresh database of each test's own: up from empty, down all the
 * way (every migration's `down`, newest first), up again, and the schema after is the schema before,
 * object for object (pg_dump's DDL of each schema compared whole).
 */
describe.each(SERVICES.map((service) => [service.name, service] as const))('%s migrations', (_name, service) => {
  let database: ScratchDatabase;
  const schemas = distinctSchemas(ownerServiceSchemas([service]));
  const schemaNames = schemas.map(([schema]) => schema);

  beforeEach(async () => {
    database = await createScratchDatabase('evalvault_migrations');
  });
  afterEach(async () => {
    await database.drop();
  });

  it('go up from empty, down all the way, and up again to the same schema', async () => {
    const applied = await migrateOwnerService(service, database.url);
    expect(applied.length).toBe(schemas.reduce((count, [, migrations]) => count + migrations.length, 0));
    const first = await schemaDump(database.url, schemaNames);
    expect(first).toContain('CREATE TABLE');

    for (const [schema, migrations] of [...schemas].reverse()) {
      const reverted = await revertMigrations(database.url, schema, [...migrations]);
      expect(reverted.length).toBe(migrations.length);
      // Only TypeORM's own bookkeeping is left: the migrations table and its id sequence.
      expect(await schemaObjects(database.url, schema)).toEqual([
        'S:migrations_id_seq',
        'i:PK_8c82d7f526340ab734260ea46be',
        'r:migrations',
      ]);
    }

    expect(await migrateOwnerService(service, database.url)).toEqual(applied);
    expect(await schemaDump(database.url, schemaNames)).toBe(first);
  });
});
