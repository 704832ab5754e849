import { migrateOwnerService } from '@evalvault/platform';
import { AUDIT_SERVICE } from './audit.service.js';

/** `npm run migrate`: applies pending migrations of the event store and the audit schema, explicitly. */
const applied = await migrateOwnerService(AUDIT_SERVICE, AUDIT_SERVICE.config(process.env).databaseUrl);
console.log(applied.length > 0 ? `audit: applied ${applied.join(', ')}` : 'audit: no pending migrations');
