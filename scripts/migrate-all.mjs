// Every service's pending migrations in one process (what `npm run migrate` does with one process
// per service): `start:distributed` runs it at each start, and on a current database it only
// checks (one query) and applies nothing. The database is DATABASE_URL's, as each service's
// migrate reads it. Usage: node scripts/migrate-all.mjs
import { migrateOwnerServices } from '@evalvault/platform';
import { AUDIT_SERVICE } from '@evalvault/service-audit';
import { GATEWAY_SERVICE } from '@evalvault/service-gateway';
import { MEMORY_SERVICE } from '@evalvault/service-memory';
import { NOTIFIER_SERVICE } from '@evalvault/service-notifier';
import { REGISTRY_SERVICE } from '@evalvault/service-registry';
import { RUNS_SERVICE } from '@evalvault/service-runs';

const databaseUrl = process.env.DATABASE_URL || 'postgres://evalvault@127.0.0.1:5432/evalvault';
// The order of `npm run migrate`: runs (with the content store) first.
const services = [RUNS_SERVICE, GATEWAY_SERVICE, REGISTRY_SERVICE, NOTIFIER_SERVICE, AUDIT_SERVICE, MEMORY_SERVICE];
const { migrated, applied } = await migrateOwnerServices(services, databaseUrl);
console.error(
  migrated.length > 0
    ? `migrations: applied ${applied.join(', ')} (schemas ${migrated.join(', ')})`
    : 'migrations: none pending',
);
