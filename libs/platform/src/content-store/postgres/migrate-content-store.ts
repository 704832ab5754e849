import { runMigrations } from '../../event-store/postgres/migrate.js';
import { CONTENT_STORE_MIGRATIONS, CONTENT_STORE_SCHEMA } from './content-store.migration.js';

/** Applies the shared content store's pending migrations (each service that uses it may call this). */
export function migrateContentStore(databaseUrl: string): Promise<string[]> {
  return runMigrations(databaseUrl, CONTENT_STORE_SCHEMA, CONTENT_STORE_MIGRATIONS);
}
