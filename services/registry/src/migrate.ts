import { migrateContentStore, migrateEventStore, runMigrations } from '@evalvault/platform';
import { loadConfig } from './config.js';
import { REGISTRY_MIGRATIONS, REGISTRY_SCHEMA } from './registry.runtime.js';

/** `npm run migrate`: applies pending migrations of the event store, the content store and the registry schema, explicitly. */
const { databaseUrl } = loadConfig(process.env);
const applied = [
  ...(await migrateEventStore(databaseUrl)),
  ...(await migrateContentStore(databaseUrl)),
  ...(await runMigrations(databaseUrl, REGISTRY_SCHEMA, REGISTRY_MIGRATIONS)),
];
console.log(applied.length > 0 ? `registry: applied ${applied.join(', ')}` : 'registry: no pending migrations');
