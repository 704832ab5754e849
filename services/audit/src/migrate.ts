import { migrateEventStore, runMigrations } from '@evalvault/platform';
import { loadConfig } from './config.js';
import { AUDIT_MIGRATIONS, AUDIT_SCHEMA } from './log/audit-log.migrations.js';

/** `npm run migrate`: applies pending migrations of the event store and the audit schema, explicitly. */
const { databaseUrl } = loadConfig(process.env);
const applied = [...(await migrateEventStore(databaseUrl)), ...(await runMigrations(databaseUrl, AUDIT_SCHEMA, AUDIT_MIGRATIONS))];
console.log(applied.length > 0 ? `audit: applied ${applied.join(', ')}` : 'audit: no pending migrations');
