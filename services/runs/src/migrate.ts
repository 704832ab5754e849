import { migrateOwnerService } from '@evalvault/platform';
import { RUNS_SERVICE } from './runs.service.js';

/**
 * `npm run migrate`: applies pending migrations of the event store, the content store and the runs schema,
 * explicitly.
 */
const applied = await migrateOwnerService(RUNS_SERVICE, RUNS_SERVICE.config(process.env).databaseUrl);
console.log(applied.length > 0 ? `runs: applied ${applied.join(', ')}` : 'runs: no pending migrations');
