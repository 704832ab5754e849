import { migrateEventStore, runMigrations } from '@evalvault/platform';
import { GATEWAY_MIGRATIONS, GATEWAY_SCHEMA } from './gateway.migrations.js';

/** `npm run migrate`: pending migrations of the event store (the gateway appends to it) and the gateway schema, explicitly. */
const databaseUrl = process.env['DATABASE_URL'] || 'postgres://evalvault@127.0.0.1:5432/evalvault';
const applied = [...(await migrateEventStore(databaseUrl)), ...(await runMigrations(databaseUrl, GATEWAY_SCHEMA, GATEWAY_MIGRATIONS))];
console.log(applied.length > 0 ? `gateway: applied ${applied.join(', ')}` : 'gateway: no pending migrations');
