import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrationNames } from '@evalvault/platform';
import { ALL_SCHEMAS } from './service-migrations.js';
import { pendingReport, unregisteredMigrations, writtenMigrations } from './written-migrations.js';

const root = join(import.meta.dirname, '..', '..');
const packages = ['libs', 'services'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`));

/**
 * "Pending" in the code: a migration written in a service or library but listed in no schema's
 * migrations, so `npm run migrate` (and the embedded platform) would never apply it, while the code
 * that needs its tables ships. npm test fails naming it. (A pending migration in a database is the
 * other meaning: a service refuses to start on one; see docs/operations.md.)
 */
describe('pending migrations', () => {
  const registered = new Set(migrationNames(ALL_SCHEMAS).flatMap(([, names]) => names));

  it('finds every migration the services list, however it is written (a class or a factory’s class)', () => {
    const written = new Set(writtenMigrations(root, packages).map(({ name }) => name));
    expect([...registered].filter((name) => !written.has(name))).toEqual([]);
  });

  it('has none: every written migration is in a schema’s list', () => {
    const pending = unregisteredMigrations(writtenMigrations(root, packages), registered);
    expect(pendingReport(pending)).toBe('');
  });

  it('would name a migration written but not listed, and its file', () => {
    const written = [
      { name: 'CreateApiKeys1764400000000', file: 'services/gateway/src/auth/postgres-api-key.store.ts' },
      { name: 'AddForgottenColumn1799999999999', file: 'services/runs/src/migrations/runs.migrations.ts' },
    ];
    expect(pendingReport(unregisteredMigrations(written, registered))).toBe(
      'AddForgottenColumn1799999999999 (services/runs/src/migrations/runs.migrations.ts) ' +
        'is written but no service lists it in its migrations',
    );
  });

  it('has one name per migration in each schema (TypeORM keys what it applied by name)', () => {
    for (const [schema, names] of migrationNames(ALL_SCHEMAS))
      expect({ schema, duplicates: names.filter((name, i) => names.indexOf(name) !== i) }).toEqual({
        schema,
        duplicates: [],
      });
  });
});
