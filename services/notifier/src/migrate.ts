import { migrateEventStore, runMigrations } from '@evalvault/platform';
import { loadConfig } from './config.js';
import { NOTIFIER_MIGRATIONS, NOTIFIER_SCHEMA } from './projection/notifier-read-model.migrations.js';

/** `npm run migrate`: applies pending migrations of the event store and the notifier schema, explicitly. */
const { databaseUrl } = loadConfig(process.env);
const applied = [...(await migrateEventStore(databaseUrl)), ...(await runMigrations(databaseUrl, NOTIFIER_SCHEMA, NOTIFIER_MIGRATIONS))];
console.log(applied.length > 0 ? `notifier: applied ${applied.join(', ')}` : 'notifier: no pending migrations');
