import { migrateOwnerService } from '@evalvault/platform';
import { MEMORY_SERVICE } from './memory.service.js';

/**
 * `npm run migrate`: applies pending migrations of the event store, the content store and the memory schema,
 * explicitly.
 */
const applied = await migrateOwnerService(MEMORY_SERVICE, MEMORY_SERVICE.config(process.env).databaseUrl);
console.log(applied.length > 0 ? `memory: applied ${applied.join(', ')}` : 'memory: no pending migrations');
