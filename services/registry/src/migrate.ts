import { migrateOwnerService } from '@evalvault/platform';
import { REGISTRY_SERVICE } from './registry.service.js';

/**
 * `npm run migrate`: applies pending migrations of the event store, the content store and the registry
 * schema, explicitly.
 */
const applied = await migrateOwnerService(REGISTRY_SERVICE, REGISTRY_SERVICE.config(process.env).databaseUrl);
console.log(applied.length > 0 ? `registry: applied ${applied.join(', ')}` : 'registry: no pending migrations');
