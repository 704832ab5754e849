import { migrateContentStore, migrateEventStore, runMigrations } from '@evalvault/platform';
import { loadConfig } from './config.js';
import { RUNS_MIGRATIONS, RUNS_SCHEMA } from './runs.runtime.js';

/** `npm run migrate`: applies pending migrations of the event store, the content store (registered datasets are read from it) and the runs schema, explicitly. */
const { databaseUrl } = loadConfig(process.env);
const applied = [...(await migrateEventStore(databaseUrl)), ...(await migrateContentStore(databaseUrl)), ...(await runMigrations(databaseUrl, RUNS_SCHEMA, RUNS_MIGRATIONS))];
console.log(applied.length > 0 ? `runs: applied ${applied.join(', ')}` : 'runs: no pending migrations');
